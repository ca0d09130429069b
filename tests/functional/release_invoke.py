#!/usr/bin/env python3
"""The release scripts' health-check seam for tests (TENANTD_INVOKE_CMD): runs one event through
the deployed package the way Lambda would, because moto stores functions but cannot run them.

    release_invoke.py FUNCTION QUALIFIER EVENT_JSON

Reads the version's configuration and code from the AWS double (AWS_ENDPOINT_URL; the code from
LAMBDA_CODE_URL_BASE + the path of Code.Location), unpacks the zip, and runs its `bootstrap invoke
EVENT_JSON` with the version's environment variables (plus a fresh DATA_DIR). Prints the response
document and exits with the bootstrap's exit code, as `aws lambda invoke` would report it.
"""
import io
import os
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
import zipfile

import boto3


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    function, qualifier, event = sys.argv[1:]
    client = boto3.client("lambda", endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                          region_name=os.environ["AWS_REGION"])
    doc = client.get_function(FunctionName=function, Qualifier=qualifier)
    path = urllib.parse.urlsplit(doc["Code"]["Location"]).path
    with urllib.request.urlopen(os.environ["LAMBDA_CODE_URL_BASE"].rstrip("/") + path) as r:
        package = r.read()
    with tempfile.TemporaryDirectory(prefix="release-invoke-") as task:
        zipfile.ZipFile(io.BytesIO(package)).extractall(task)
        bootstrap = os.path.join(task, "bootstrap")
        os.chmod(bootstrap, 0o755)  # extractall drops the mode; Lambda does not
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DATA_DIR": task,
               "AWS_REGION": os.environ["AWS_REGION"]}
        env.update(doc["Configuration"].get("Environment", {}).get("Variables", {}))
        done = subprocess.run([bootstrap, "invoke", event], env=env, capture_output=True,
                              timeout=60)
    sys.stdout.write(done.stdout.decode())
    sys.stderr.write(done.stderr.decode()[-2000:])
    sys.exit(done.returncode)


if __name__ == "__main__":
    main()
