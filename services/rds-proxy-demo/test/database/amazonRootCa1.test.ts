import { X509Certificate } from 'node:crypto';
import AMAZON_ROOT_CA_1 from '../../src/database/AmazonRootCA1.pem';

describe('Certificate: AmazonRootCA1.pem', () => {
  it('is the genuine Amazon Root CA 1 (SHA-256 fingerprint)', () => {
    // Act
    const certificate = new X509Certificate(AMAZON_ROOT_CA_1);

    // Assess
    expect(certificate.fingerprint256).toBe(
      '8E:CD:E6:88:4F:3D:87:B1:12:5B:A3:1A:C3:FC:B1:3D:70:16:DE:7F:57:CC:90:4F:E1:CB:97:C6:AE:98:19:6E',
    );
    expect(certificate.subject).toBe('C=US\nO=Amazon\nCN=Amazon Root CA 1');
    expect(certificate.ca).toBe(true);
    expect(new Date(certificate.validTo).getUTCFullYear()).toBe(2038);
  });
});
