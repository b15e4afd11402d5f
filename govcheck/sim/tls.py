"""Certificates for replica sites served over HTTPS, made when the region starts (nothing is shipped).

A region that serves any site over HTTPS makes its own CA; each such site gets a certificate from it:
valid (for the address it listens on), expired, or for another host name (a mismatch). The round trusts the
region's CA through the fetch layer's CA bundle option (`ca_bundle`), so a valid replica certificate
verifies and the planted problems are the only ones a crawl records.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from pathlib import Path

TLS_MODES = ("valid", "expired", "wrong_host")


class RegionCA:
    def __init__(self, folder: Path):
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        self._x509, self._hashes, self._ser, self._ec, self._oid = x509, hashes, serialization, ec, NameOID
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "govcheck replica CA")])
        now = dt.datetime.now(dt.timezone.utc)
        self.name = name
        self.cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                     .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3650))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                     .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                                  content_commitment=False, key_encipherment=False,
                                                  data_encipherment=False, key_agreement=False,
                                                  encipher_only=False, decipher_only=False), critical=True)
                     .sign(self.key, hashes.SHA256()))
        self.bundle = self.folder / "replica-ca.pem"
        self.bundle.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))

    def server_context(self, stem: str, mode: str, host: str) -> ssl.SSLContext:
        """A server-side context whose certificate has the planted property (`mode` in TLS_MODES)."""
        x509, hashes, ser, ec, NameOID = self._x509, self._hashes, self._ser, self._ec, self._oid
        if mode not in TLS_MODES:
            raise ValueError(f"tls 应为 {' / '.join(TLS_MODES)}，实为 {mode!r}")
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.timezone.utc)
        if mode == "expired":
            start, end = now - dt.timedelta(days=400), now - dt.timedelta(days=30)
        else:
            start, end = now - dt.timedelta(days=1), now + dt.timedelta(days=365)
        if mode == "wrong_host":
            names: list = [x509.DNSName("www.another-unit.gov.cn")]
            cn = "www.another-unit.gov.cn"
        else:
            try:
                names = [x509.IPAddress(ipaddress.ip_address(host))]
            except ValueError:
                names = [x509.DNSName(host)]
            cn = host
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])).issuer_name(self.name)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(start).not_valid_after(end)
                .add_extension(x509.SubjectAlternativeName(names), critical=False)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .sign(self.key, hashes.SHA256()))
        cert_file = self.folder / f"{stem}.pem"
        key_file = self.folder / f"{stem}.key"
        cert_file.write_bytes(cert.public_bytes(ser.Encoding.PEM) + self.cert.public_bytes(ser.Encoding.PEM))
        key_file.write_bytes(key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption()))
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(str(cert_file), str(key_file))
        return ctx
