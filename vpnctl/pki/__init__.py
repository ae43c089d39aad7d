"""The project's PKI for Client VPN: a CA per `pki` folder, its server certificate,
a certificate per user, and the CRL. The CA's private key never enters Terraform."""
