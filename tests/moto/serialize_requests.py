#!/usr/bin/env python3
"""`python3 -m moto.server` with one request served at a time (see moto_server.py for why).

Connections are still kept alive and served by many threads, as moto.server does; only the
application call is behind a lock.
"""
import threading

import moto.server
import moto.moto_server.werkzeug_app as werkzeug_app

_lock = threading.Lock()
_dispatcher = werkzeug_app.DomainDispatcherApplication


class SerializedDispatcher(_dispatcher):
    def __call__(self, environ, start_response):
        with _lock:
            # The whole body is produced under the lock: moto builds it eagerly.
            return list(super().__call__(environ, start_response))


moto.server.DomainDispatcherApplication = SerializedDispatcher

if __name__ == "__main__":
    moto.server.main()
