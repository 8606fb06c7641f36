import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';

const PERIOD_SECONDS = 30;
const ISSUER = 'UCR Manager';

export function newTotpSecret(): string {
  return generateSecret();
}

export async function totpEnrolmentMaterial(secret: string, email: string): Promise<{ uri: string; qrSvg: string }> {
  const uri = generateURI({ issuer: ISSUER, label: email, secret });
  const qrSvg = await QRCode.toString(uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  return { uri, qrSvg };
}

/**
 * Checks a 6-digit code, allowing one step of clock drift either way, and refuses a code
 * from a time step at or before the last accepted one, so an observed code cannot be replayed.
 * Returns the accepted time step, or undefined.
 */
export async function checkTotp(secret: string, code: string, lastStep: number | null, now: Date): Promise<number | undefined> {
  if (!/^\d{6}$/.test(code)) return undefined;
  const epoch = Math.floor(now.getTime() / 1000);
  const result = await verify({
    secret,
    token: code,
    epoch,
    epochTolerance: PERIOD_SECONDS,
    ...(lastStep === null ? {} : { afterTimeStep: lastStep }),
  });
  if (!result.valid) return undefined;
  return 'timeStep' in result ? (result.timeStep as number) : Math.floor(epoch / PERIOD_SECONDS) + result.delta;
}
