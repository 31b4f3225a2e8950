/**
 * An invitation by e-mail address to a community, or to an event (issue 14): who was invited (the address,
 * and the Entra object id once known: an existing person's, or the new B2B guest's), how
 * (`member`: already in the tenant; `guest`: invited through Graph), and where it stands:
 * `pending` until the person accepts (a guest: their first sign-in), `accepted`, `failed`
 * (with Graph's answer as a code) or `withdrawn`.
 *
 * The address is personal data kept the shortest time that does the job: it is needed to
 * show the manager whom they invited and to re-send, so it stays while the invitation is
 * pending or failed, is removed the moment it is accepted (the membership carries the
 * person from then on), and a withdrawn or failed invitation is deleted after the
 * `invitations` retention period (30 days by default; retention-kinds.ts). `key` (a hash of
 * the address) keeps one invitation per address and target without the address.
 *
 * The target is a community (`communityId`, no `eventId`) or an event (`eventId`, with its
 * community's `communityId` when it has one: the invitee is invited there too). A community's
 * own invitations are those without `eventId`.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const INVITATION_STATES = ['pending', 'accepted', 'failed', 'withdrawn'] as const;
export type InvitationState = (typeof INVITATION_STATES)[number];

const invitationSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    /** The community invited to; for an event, the event's community (none for an organisation-wide event). */
    communityId: { type: Schema.Types.ObjectId },
    /** The event invited to (issue 14: organisers of invite-only events); absent for a community's invitation. */
    eventId: { type: Schema.Types.ObjectId },
    /** sha256 of the lower-case address: unique per target, without keeping the address. */
    key: { type: String, required: true, maxlength: 64 },
    email: { type: String, maxlength: 320 },
    userId: { type: String, maxlength: 64 },
    kind: { type: String, enum: ['member', 'guest'] },
    state: { type: String, enum: INVITATION_STATES, required: true },
    /** Why it failed, in Meent's words (a stable code the tab translates); Graph's status beside it. */
    reason: { type: String, maxlength: 60 },
    graphStatus: { type: Number },
    invitedBy: { type: String, required: true, maxlength: 64 },
    sends: { type: Number, default: 1 },
    sentAt: { type: Date },
    acceptedAt: { type: Date },
    /** When it stopped being pending (failed, withdrawn): the retention period counts from here. */
    closedAt: { type: Date },
  },
  { timestamps: true, collection: 'invitations' },
);
// A missing eventId indexes as null, so a community's invitations stay unique per address beside its events'.
invitationSchema.index({ tenantId: 1, communityId: 1, eventId: 1, key: 1 }, { unique: true });
invitationSchema.index({ tenantId: 1, userId: 1 });

export type InvitationRecord = InferSchemaType<typeof invitationSchema> & { _id: mongoose.Types.ObjectId; state: InvitationState; createdAt: Date };

export const InvitationModel = mongoose.model('Invitation', invitationSchema);
