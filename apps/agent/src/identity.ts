import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { authChallengeText } from '@tend/protocol';

/** A node's Ed25519 key pair in the forms the state file and the protocol use. */
export interface Identity {
  /** PKCS8 PEM: what the state file keeps. */
  privateKeyPem: string;
  /** SPKI DER, base64: what the server stores at registration. */
  publicKey: string;
}

/** Generates a fresh Ed25519 identity. */
export function generateIdentity(): Identity {
  const { privateKey } = generateKeyPairSync('ed25519');
  return identityFromPrivateKey(privateKey);
}

/** The public half is always derived from the private key, so a state file cannot hold a mismatched pair. */
export function identityFromPrivateKey(privateKey: KeyObject): Identity {
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKey: createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).toString('base64'),
  };
}

/** Parses a PKCS8 PEM and insists on Ed25519 (the only key type the server accepts). */
export function loadPrivateKey(pem: string): KeyObject {
  const key = createPrivateKey({ key: pem, format: 'pem' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`expected an Ed25519 private key, found ${key.asymmetricKeyType}`);
  return key;
}

/** The `auth` frame's signature: proof that this node holds the key it registered. */
export function signChallenge(privateKey: KeyObject, instanceId: string, nonce: string): string {
  return sign(null, Buffer.from(authChallengeText(instanceId, nonce), 'utf8'), privateKey).toString('base64');
}
