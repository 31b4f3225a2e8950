import assert from 'node:assert/strict';
import mongoose, { Schema } from 'mongoose';
import { toJsonPlugin } from '../../src/db/to-json-plugin.js';

describe('toJsonPlugin', () => {
  function modelWith(name: string, options?: Parameters<typeof toJsonPlugin>[1]) {
    const schema = new Schema({ userId: String, title: String, aggregationKey: String });
    schema.plugin(toJsonPlugin, options);
    return mongoose.model(name, schema, undefined, { overwriteModels: true });
  }

  it('maps _id to a string id and leaves out the version key', () => {
    const Model = modelWith('ToJsonDefault');
    const doc = new Model({ title: 't' });
    const json = doc.toJSON() as Record<string, unknown>;
    assert.equal(json.id, String(doc._id));
    assert.equal('_id' in json, false);
    assert.equal('__v' in json, false);
    assert.equal(json.title, 't');
  });

  it('takes id from another field, or gives none', () => {
    const byUser = new (modelWith('ToJsonFrom', { id: { from: 'userId' } }))({ userId: 'u-1' }).toJSON() as Record<string, unknown>;
    assert.equal(byUser.id, 'u-1');
    assert.equal('_id' in byUser, false);
    const none = new (modelWith('ToJsonNone', { id: false }))({ userId: 'u-1' }).toJSON() as Record<string, unknown>;
    assert.equal('id' in none, false);
    assert.equal('_id' in none, false);
  });

  it('hides the fields it is told to', () => {
    const json = new (modelWith('ToJsonHide', { hide: ['aggregationKey'] }))({ title: 't', aggregationKey: 'k' }).toJSON() as Record<string, unknown>;
    assert.equal('aggregationKey' in json, false);
    assert.equal(json.title, 't');
  });
});
