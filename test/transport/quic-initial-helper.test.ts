/** The Initial generator the flood tests rely on round-trips a real client's Initial. */
import { Ngtcp2Transport } from '../../gateway/transport/ngtcp2';
import { ngtcp2Available } from '../../gateway/transport/ngtcp2-native';
import { captureInitial, parseInitial, sealInitial } from '../helpers/quic-initial';

const maybe = ngtcp2Available() ? it : it.skip;

maybe('captures, re-seals under a new DCID, and parses back the same ClientHello', async () => {
  const t = await captureInitial(new Ngtcp2Transport());
  expect(t.plaintext[0]).toBe(0x06); // a CRYPTO frame first: the ClientHello
  const packet = sealInitial(t);
  expect(packet.length).toBeGreaterThanOrEqual(1200);
  const back = parseInitial(packet);
  expect(back.plaintext.equals(t.plaintext)).toBe(true);
});
