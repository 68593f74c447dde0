import { createPrivateKey, X509Certificate } from 'node:crypto';

/** Why a PEM client certificate and key cannot be used for mTLS, or null: both parse and belong together. */
export function clientCertificateProblem(cert: string, key: string): { field: 'tls_client_cert' | 'tls_client_key'; msg: string } | null {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch {
    return { field: 'tls_client_cert', msg: 'must be a PEM certificate' };
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    return { field: 'tls_client_key', msg: 'must be an unencrypted PEM private key' };
  }
  if (!certificate.checkPrivateKey(privateKey)) return { field: 'tls_client_key', msg: 'does not belong to tls_client_cert' };
  if (Date.parse(certificate.validTo) < Date.now()) return { field: 'tls_client_cert', msg: `expired on ${certificate.validTo}` };
  return null;
}
