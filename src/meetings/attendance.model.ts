/**
 * Who attended a session of an online Meent event, read from the Teams meeting's attendance
 * report after it ended: one document per event and person (`key`: the Entra object id, or
 * for people without one the e-mail address or name), matched to their registration when
 * they had one. Reading the report again replaces the event's rows, so a repeated run
 * changes nothing.
 */
import mongoose, { Schema, type Types } from 'mongoose';

const attendanceSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    eventId: { type: Schema.Types.ObjectId, required: true },
    key: { type: String, required: true, maxlength: 400 },
    userId: { type: String, default: null, maxlength: 64 },
    displayName: { type: String, default: '', maxlength: 256 },
    email: { type: String, default: null, maxlength: 320 },
    /** Organizer, Presenter, Attendee (as Teams reports it). */
    role: { type: String, default: null, maxlength: 40 },
    attendedSeconds: { type: Number, default: 0, min: 0 },
    firstJoin: { type: Date, default: null },
    lastLeave: { type: Date, default: null },
    registrationId: { type: Schema.Types.ObjectId, default: null },
    /** Graph's attendance report the row came from. */
    reportId: { type: String, required: true, maxlength: 200 },
  },
  { timestamps: true, versionKey: false },
);
attendanceSchema.index({ eventId: 1, key: 1 }, { unique: true });
attendanceSchema.index({ tenantId: 1, eventId: 1 });

export interface AttendanceRecord {
  _id: Types.ObjectId;
  tenantId: string;
  eventId: Types.ObjectId;
  key: string;
  userId: string | null;
  displayName: string;
  email: string | null;
  role: string | null;
  attendedSeconds: number;
  firstJoin: Date | null;
  lastLeave: Date | null;
  registrationId: Types.ObjectId | null;
  reportId: string;
  createdAt: Date;
  updatedAt: Date;
}

export const EventAttendanceModel = mongoose.model('EventAttendance', attendanceSchema, 'event_attendance');
