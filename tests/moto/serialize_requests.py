#!/usr/bin/env python3
"""`python3 -m moto.server` with one request served at a time (see moto_server.py for why).

Connections are still kept alive and served by many threads, as moto.server does; only the
application call is behind a lock.

Tests isolate themselves by account: a request signed with an access key `TESTACCT<12 digits>`
is served from the moto account with those digits, so servers that share this moto (the
functional suite with STORE=dynamodb) each see their own tables under the runbook's names.
"""
import re
import threading

import moto.server
import moto.moto_server.werkzeug_app as werkzeug_app

_lock = threading.Lock()
_dispatcher = werkzeug_app.DomainDispatcherApplication
_test_account = re.compile(r"Credential=TESTACCT(\d{12})/")


class SerializedDispatcher(_dispatcher):
    def __call__(self, environ, start_response):
        account = _test_account.search(environ.get("HTTP_AUTHORIZATION", ""))
        if account and "HTTP_X_MOTO_ACCOUNT_ID" not in environ:
            environ["HTTP_X_MOTO_ACCOUNT_ID"] = account.group(1)
        with _lock:
            # The whole body is produced under the lock: moto builds it eagerly.
            return list(super().__call__(environ, start_response))


moto.server.DomainDispatcherApplication = SerializedDispatcher

if __name__ == "__main__":
    moto.server.main()
