/**
 * Pseudonyms of erased people: HMAC-SHA-256 of the user id under a random key per tenant.
 * The same person always gets the same pseudonym (an erasure is found again and audit
 * entries stay linkable to each other), and without the key nobody can test a guessed id.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { isDuplicateKeyError } from '../db/mongo-errors.js';
import { PseudonymKeyModel } from './privacy.model.js';

export async function pseudonymOf(tenantId: string, userId: string): Promise<string> {
  return hmac(await keyOf(tenantId), tenantId, userId);
}

/** The pseudonym when the tenant has a key already (no erasure yet: null, and nothing is written). */
export async function existingPseudonymOf(tenantId: string, userId: string): Promise<string | null> {
  const found = await PseudonymKeyModel.findOne({ tenantId }).lean<{ key: string }>();
  return found ? hmac(found.key, tenantId, userId) : null;
}

function hmac(key: string, tenantId: string, userId: string): string {
  return createHmac('sha256', Buffer.from(key, 'hex')).update(`${tenantId}\n${userId}`).digest('hex').slice(0, 32);
}

async function keyOf(tenantId: string): Promise<string> {
  const found = await PseudonymKeyModel.findOne({ tenantId }).lean<{ key: string }>();
  if (found) return found.key;
  try {
    await PseudonymKeyModel.create({ tenantId, key: randomBytes(32).toString('hex') });
  } catch (error) {
    // Two first erasures at once: the other one's key is the tenant's.
    if (!isDuplicateKeyError(error)) throw error;
  }
  const stored = await PseudonymKeyModel.findOne({ tenantId }).lean<{ key: string }>();
  if (!stored) throw new Error('the pseudonym key could not be stored');
  return stored.key;
}
