import { createReferenceBackend } from '../../../src/linalg/reference.js';
import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import { backendOption, countOnes } from '../../../src/report/stages/context.js';
import type { Backend } from '../../../src/linalg/types.js';
import { stageContext } from './stageContext.js';

const context = (backend?: Backend) => stageContext(ForgettingMatrix.fromRows([[0]]), backend);

describe('the report stage context', () => {
  it('backendOption: { backend } when the context has one, {} otherwise (no undefined key)', () => {
    const backend = createReferenceBackend();
    expect(backendOption(context(backend))).toEqual({ backend });
    const none = backendOption(context());
    expect(none).toEqual({});
    expect('backend' in none).toBe(false);
  });

  it('countOnes counts the ones of a 0/1 mask', () => {
    expect(countOnes(Uint8Array.of(1, 0, 1, 1, 0))).toBe(3);
    expect(countOnes(new Uint8Array(0))).toBe(0);
  });
});
