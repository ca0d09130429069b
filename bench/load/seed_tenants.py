#!/usr/bin/env python3
"""Creates exactly COUNT tenants through the API, over one keep-alive connection (bench/run.sh
seeds its small table with this, where wrk's timed rounds would overshoot).

    bench/load/seed_tenants.py BASE_URL COUNT TAG      (TOKEN in the environment)
"""
import http.client
import json
import os
import sys
import urllib.parse


def main():
    base, count, tag = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    headers = {"Authorization": "Bearer " + os.environ["TOKEN"],
               "Content-Type": "application/json"}
    for i in range(count):
        body = json.dumps({"organizationName": f"Seed {tag} {i}", "environment": "dev",
                           "contactEmail": "bench@example.com"})
        connection.request("POST", "/v1.0/tenants", body, headers)
        response = connection.getresponse()
        response.read()
        if response.status != 201:
            sys.exit(f"POST /v1.0/tenants answered {response.status}")


if __name__ == "__main__":
    main()
