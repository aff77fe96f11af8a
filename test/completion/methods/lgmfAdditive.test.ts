import { lgmfAdditive } from '../../../src/completion/methods/lgmfAdditive.js';
import { expectLogitsEqualNumpy, LOGISTIC_SETTINGS as s } from './logisticReference.js';

describe('lgmf-additive follows the spec (checked against a numpy implementation)', () => {
  test('its logits equal numpy on a small matrix', async () => {
    await expectLogitsEqualNumpy(lgmfAdditive({ learningRate: s.lr, reg: s.reg, iterations: s.iters }));
  });
});
