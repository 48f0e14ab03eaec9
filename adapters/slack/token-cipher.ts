/**
 * Encrypts what an OAuth install leaves us (a workspace's bot token) before it reaches the store, with
 * AES-256-GCM under SLACK_TOKEN_KEY: whoever reads the SQLite file or the Redis keys gets ciphertext.
 * The workspace id is the additional authenticated data, so a sealed value copied onto another
 * workspace's record does not open. Errors never carry the plaintext or the key.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** `v1.IV.TAG.CIPHERTEXT`, base64url: the version lets a later key or cipher sit beside this one. */
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class TokenCipherError extends Error {
  override readonly name = 'TokenCipherError';
  /** `token_unreadable`: wrong SLACK_TOKEN_KEY, a damaged value, or one sealed for another workspace. */
  readonly code = 'token_unreadable';
}

export class TokenCipher {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new TokenCipherError('SLACK_TOKEN_KEY must be 32 bytes');
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), body]
      .map((p) => (typeof p === 'string' ? p : b64(p)))
      .join('.');
  }

  open(sealed: string, context: string): string {
    const [version, iv, tag, body, ...rest] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || body === undefined || rest.length > 0)
      throw new TokenCipherError('not a sealed value of this version');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      // Node's own message says only "Unsupported state or unable to authenticate data": keep ours.
      throw new TokenCipherError('the stored token does not open with SLACK_TOKEN_KEY');
    }
  }
}

function b64(bytes: Buffer): string {
  return bytes.toString('base64url');
}
