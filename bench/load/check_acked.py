#!/usr/bin/env python3
"""Reads back every acknowledged create after a crash (bench/crash.sh).

    check_acked.py BASE_URL TOKEN IDS_FILE

IDS_FILE holds one tenantId per line (bench/load/post_tenants.lua with ACKED_IDS). Prints how many
were acknowledged, present and missing, and exits 1 when one is missing or a read fails.
"""
import sys

import requests


def main():
    base, token, ids_file = sys.argv[1:4]
    with open(ids_file, encoding="utf-8") as f:
        ids = [line.strip() for line in f if line.strip()]
    session = requests.Session()
    session.headers["Authorization"] = "Bearer " + token
    missing, failed = [], []
    for tenant_id in ids:
        status = session.get(f"{base}/v1.0/tenants/{tenant_id}", timeout=10).status_code
        if status == 404:
            missing.append(tenant_id)
        elif status != 200:
            failed.append((tenant_id, status))
    print(f"acknowledged {len(ids)}, present {len(ids) - len(missing) - len(failed)}, "
          f"missing {len(missing)}, unreadable {len(failed)}")
    for tenant_id in missing[:10]:
        print(f"missing: {tenant_id}")
    for tenant_id, status in failed[:10]:
        print(f"unreadable: {tenant_id} (HTTP {status})")
    return 1 if missing or failed or not ids else 0


if __name__ == "__main__":
    sys.exit(main())
