import { loadNodeBlas } from '../../../src/linalg/cpu/nodeBlas.js';

describe('loadNodeBlas', () => {
  test('FORGETSCOPE_BLAS=0 and library: false load nothing; a named library that does not load is an error naming it', () => {
    const saved = process.env.FORGETSCOPE_BLAS;
    try {
      process.env.FORGETSCOPE_BLAS = 'off';
      expect(loadNodeBlas()).toBeNull();
    } finally {
      if (saved === undefined) delete process.env.FORGETSCOPE_BLAS;
      else process.env.FORGETSCOPE_BLAS = saved;
    }
    expect(loadNodeBlas({ library: false })).toBeNull();
    expect(() => loadNodeBlas({ library: '/nonexistent/libnoblas.so' })).toThrow(/libnoblas\.so/);
  });
});
