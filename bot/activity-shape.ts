/**
 * The shape of an incoming activity that the bot's code relies on, checked before the turn
 * runs: botbuilder types an activity but does not check one, so a message whose `text` is a
 * number or whose `membersAdded` is not a list crashed the turn, and one without a
 * conversation id made the bot reply into nowhere (found by test/reliability/bot-fuzz.test.ts).
 * Fields the Activity schema defines (https://github.com/microsoft/botframework-sdk/blob/main/specs/botframework-activity/botframework-activity.md)
 * are checked for their type where they are present; everything else passes through.
 */
import { z } from 'zod';

const account = z.looseObject({ id: z.string().max(1_000), aadObjectId: z.string().max(100).optional(), name: z.string().max(1_000).optional() });

export const activityShape = z.looseObject({
  type: z.string().min(1).max(64),
  id: z.string().max(1_000).optional(),
  serviceUrl: z.string().max(2_048).optional(),
  conversation: z.looseObject({ id: z.string().min(1).max(1_000), tenantId: z.string().max(100).optional(), conversationType: z.string().max(64).optional(), isGroup: z.boolean().optional() }),
  from: account.optional(),
  recipient: account.optional(),
  text: z.string().max(100_000).optional(),
  locale: z.string().max(64).optional(),
  name: z.string().max(256).optional(),
  membersAdded: z.array(account).max(1_000).optional(),
  membersRemoved: z.array(account).max(1_000).optional(),
  value: z.unknown().optional(),
}).superRefine((activity, ctx) => {
  // A message-extension query's parameters are a list of name/value pairs.
  if (activity.type === 'invoke' && typeof activity.name === 'string' && activity.name.startsWith('composeExtension/query')) {
    const parameters = (activity.value as { parameters?: unknown } | null | undefined)?.parameters;
    if (parameters !== undefined && !Array.isArray(parameters)) ctx.addIssue({ code: 'custom', path: ['value', 'parameters'], message: 'must be a list' });
  }
});
