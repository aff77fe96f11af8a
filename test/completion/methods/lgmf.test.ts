import { lgmf } from '../../../src/completion/methods/lgmf.js';
import { expectLogitsEqualNumpy, LOGISTIC_SETTINGS as s } from './logisticReference.js';

describe('lgmf follows the spec (checked against a numpy implementation)', () => {
  test('its logits equal numpy on a small matrix', async () => {
    await expectLogitsEqualNumpy(lgmf({ learningRate: s.lr, reg: s.reg, iterations: s.iters }));
  });
});
