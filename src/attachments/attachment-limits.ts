/** Up to 10 files per post (issue 21); a module of its own so schemas need nothing else of attachments. */
export const MAX_ATTACHMENTS = 10;
