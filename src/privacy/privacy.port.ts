/**
 * What other capabilities and the worker need of privacy (AVG/GDPR): erasing a person.
 * The erasure service implements it; the leavers job (people removed from the tenant) and
 * the admin route call it. Erasure is idempotent and resumes where a crash left it.
 */
export interface ErasureRequest {
  /** Who asked: the person themselves, an organisation admin, or the leavers job. */
  by: 'self' | 'admin' | 'leaver';
  /** The admin's user id (by: 'admin'). */
  actorId?: string;
  /** Why (by: 'admin' and 'leaver'); kept in the audit entry. */
  reason?: string;
  /**
   * Keep the text of their discussions and replies (under "Former member"), or remove it.
   * Absent: the organisation's setting (default: keep).
   */
  keepText?: boolean;
}

export interface ErasureOutcome {
  status: 'erased' | 'alreadyErased';
}

export interface PersonEraser {
  erase(tenantId: string, userId: string, request: ErasureRequest): Promise<ErasureOutcome>;
}
