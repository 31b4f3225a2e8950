/**
 * Text the store cannot keep as it was sent (U+0000, which PostgreSQL under FerretDB refuses
 * mid-write, so it was a 500; a lone surrogate, stored as other text than was accepted) is
 * refused at the edge, in every body and query, as a 400 problem naming the field, before any
 * route runs. The same rule (`unstorableTextIn`) also guards every parsed input, for the bot.
 */
import type { RequestHandler } from 'express';
import { unstorableTextIn } from '../content/plain-text.js';
import { ValidationError } from '../errors/domain-errors.js';

export const refuseUnstorableText: RequestHandler = (req, _res, next) => {
  const fault = unstorableTextIn(req.body, 'body') ?? unstorableTextIn(req.query, 'query');
  if (!fault) {
    next();
    return;
  }
  next(new ValidationError(`The ${fault.path.startsWith('query') ? 'query' : 'request body'} is not valid.`, [fault]));
};
