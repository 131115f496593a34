import { Type } from '@sinclair/typebox';
import { MAX_NAMED_UNREADABLE } from '../../domain/sealed-values.js';

const Unreadable = {
  unreadable: Type.Integer({ description: 'Values no key of this service opens: sealed with a key it was not given, or altered. Never changed' }),
  unreadableValues: Type.Array(Type.String(), {
    description: `Up to ${MAX_NAMED_UNREADABLE} of them: signing-key/<id>, step-output/<job id>/<step>.<field>, phase-output/<tenant id>/<step>.<field>`,
  }),
};

const Common = {
  previousKeys: Type.Integer({ description: 'Keys this replica was given in MATIH_SECRET_KEY_PREVIOUS' }),
  safeToDropPrevious: Type.Boolean({ description: 'Every sealed value opens with MATIH_SECRET_KEY: MATIH_SECRET_KEY_PREVIOUS may be removed' }),
};

export const SecretKeyStatusSchema = Type.Object({
  current: Type.Integer({ description: 'Sealed values MATIH_SECRET_KEY opens' }),
  previous: Type.Integer({ description: 'Sealed values only a key of MATIH_SECRET_KEY_PREVIOUS opens: they still need the new key' }),
  ...Unreadable,
  ...Common,
});

export const SecretKeyRotationSchema = Type.Object({
  resealed: Type.Integer({ description: 'Values sealed again with MATIH_SECRET_KEY' }),
  alreadyCurrent: Type.Integer({ description: 'Values already under MATIH_SECRET_KEY' }),
  ...Unreadable,
  remaining: Type.Integer({
    description: 'Values still found under a previous key by the last walk (a replica still sealing with an old key); 0 after a complete rotation',
  }),
  passes: Type.Integer({ description: 'Walks over every sealed value; the last found none left under a previous key' }),
  ...Common,
});
