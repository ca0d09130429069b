"""libpq and libgit2 are loaded only by the deployments that use them (STORE=postgres,
PROVISIONER=gitops): a server on SQLite with the simulated provisioner maps neither, nor any of
the libraries they bring (docs/decisions/0028-optional-libraries-on-demand.md)."""
import unittest

import harness

# One library of each chain: the libraries themselves, and what only they bring.
ON_DEMAND = ("libpq.so", "libgit2.so", "libgssapi_krb5.so", "libgnutls.so", "libmbedtls.so",
             "libssh2.so")


class OptionalLibrariesTest(unittest.TestCase):
    def test_a_server_on_sqlite_maps_neither_libpq_nor_libgit2(self):
        server = harness.Server(env={"STORE": "sqlite", "PROVISIONER": "simulated"}).start()
        try:
            self.assertEqual(server.client().get("/health").status, 200)
            with open(f"/proc/{server.proc.pid}/maps", encoding="utf-8") as maps:
                mapped = maps.read()
        finally:
            server.stop()
        for library in ON_DEMAND:
            self.assertNotIn("/" + library, mapped, f"{library} is mapped at start")


if __name__ == "__main__":
    unittest.main()
