;; Hand-written WebAssembly SIMD kernel for per-column linear and quadratic forms of a row-major
;; block (see columnForms.ts): for every column j of a staged m-row block, with
;;   x_a = (z[a][j] − off[j]) − shift[a]                         (a < m)
;; it writes
;;   lin[j]    = Σ_a g[a]·x_a
;;   energy[j] = Σ_a x_a²
;;   quad[j]   = Σ_r (t0[r] + Σ_a h[r][a]·x_a)²                   (r < p)
;; Lanes run across columns (two f64x2 vectors = four columns per step), so every lane performs the
;; scalar float64 operations in the scalar order (no fused multiply–add): the results equal the
;; JavaScript fallback of columnForms.ts bit for bit. Compiled by compile.mjs (wabt) into
;; colFormsKernel.generated.ts.
(module
  (memory (export "memory") 1 65536)
  ;; colforms(z, ldz, f32, cols, m, p, h, t0, g, shift, off, xs, lin, quad, energy)
  ;;   z: byte offset of the staged rows (row a at z + a·ldz bytes, float32 when f32 ≠ 0, else
  ;;   float64); cols: columns, a multiple of 4; h: p×m float64 row-major; t0 (p), g (m), shift (m),
  ;;   off (cols): float64; xs: scratch of m·32 bytes; lin, quad, energy: float64 outputs (cols).
  (func (export "colforms")
    (param $z i32) (param $ldz i32) (param $f32 i32) (param $cols i32) (param $m i32) (param $p i32)
    (param $h i32) (param $t0 i32) (param $g i32) (param $shift i32) (param $off i32) (param $xs i32)
    (param $lin i32) (param $quad i32) (param $energy i32)
    (local $j i32) (local $a i32) (local $r i32) (local $pa i32) (local $px i32) (local $ph0 i32) (local $ph1 i32)
    (local $ldh i32) (local $mend i32)
    (local $v v128) (local $x0 v128) (local $x1 v128) (local $o0 v128) (local $o1 v128) (local $sh v128) (local $ga v128)
    (local $l0 v128) (local $l1 v128) (local $e0 v128) (local $e1 v128) (local $q0 v128) (local $q1 v128)
    (local $h0 v128) (local $h1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local.set $ldh (i32.shl (local.get $m) (i32.const 3)))
    (local.set $mend (i32.mul (local.get $m) (i32.const 32)))
    (block $done (loop $cols
      (br_if $done (i32.ge_u (local.get $j) (local.get $cols)))
      ;; centred values of the four columns into xs, with the linear form and the energy
      (local.set $o0 (v128.load (i32.add (local.get $off) (i32.shl (local.get $j) (i32.const 3)))))
      (local.set $o1 (v128.load offset=16 (i32.add (local.get $off) (i32.shl (local.get $j) (i32.const 3)))))
      (local.set $l0 (f64x2.splat (f64.const 0)))
      (local.set $l1 (f64x2.splat (f64.const 0)))
      (local.set $e0 (f64x2.splat (f64.const 0)))
      (local.set $e1 (f64x2.splat (f64.const 0)))
      (local.set $a (i32.const 0))
      (local.set $pa (i32.add (local.get $z)
        (i32.shl (local.get $j) (select (i32.const 2) (i32.const 3) (local.get $f32)))))
      (block $xd (loop $xl
        (br_if $xd (i32.ge_u (local.get $a) (local.get $m)))
        (if (local.get $f32)
          (then
            (local.set $v (v128.load (local.get $pa)))
            (local.set $x0 (f64x2.promote_low_f32x4 (local.get $v)))
            (local.set $x1 (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
          (else
            (local.set $x0 (v128.load (local.get $pa)))
            (local.set $x1 (v128.load offset=16 (local.get $pa)))))
        (local.set $sh (v128.load64_splat (i32.add (local.get $shift) (i32.shl (local.get $a) (i32.const 3)))))
        (local.set $ga (v128.load64_splat (i32.add (local.get $g) (i32.shl (local.get $a) (i32.const 3)))))
        (local.set $x0 (f64x2.sub (f64x2.sub (local.get $x0) (local.get $o0)) (local.get $sh)))
        (local.set $x1 (f64x2.sub (f64x2.sub (local.get $x1) (local.get $o1)) (local.get $sh)))
        (local.set $px (i32.add (local.get $xs) (i32.shl (local.get $a) (i32.const 5))))
        (v128.store (local.get $px) (local.get $x0))
        (v128.store offset=16 (local.get $px) (local.get $x1))
        (local.set $l0 (f64x2.add (local.get $l0) (f64x2.mul (local.get $ga) (local.get $x0))))
        (local.set $l1 (f64x2.add (local.get $l1) (f64x2.mul (local.get $ga) (local.get $x1))))
        (local.set $e0 (f64x2.add (local.get $e0) (f64x2.mul (local.get $x0) (local.get $x0))))
        (local.set $e1 (f64x2.add (local.get $e1) (f64x2.mul (local.get $x1) (local.get $x1))))
        (local.set $pa (i32.add (local.get $pa) (local.get $ldz)))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (br $xl)))
      ;; the quadratic form, two rows of h at a time
      (local.set $q0 (f64x2.splat (f64.const 0)))
      (local.set $q1 (f64x2.splat (f64.const 0)))
      (local.set $r (i32.const 0))
      (block $rd (loop $rl
        (br_if $rd (i32.gt_s (i32.add (local.get $r) (i32.const 2)) (local.get $p)))
        (local.set $c00 (v128.load64_splat (i32.add (local.get $t0) (i32.shl (local.get $r) (i32.const 3)))))
        (local.set $c01 (local.get $c00))
        (local.set $c10 (v128.load64_splat offset=8 (i32.add (local.get $t0) (i32.shl (local.get $r) (i32.const 3)))))
        (local.set $c11 (local.get $c10))
        (local.set $ph0 (i32.add (local.get $h) (i32.mul (local.get $r) (local.get $ldh))))
        (local.set $ph1 (i32.add (local.get $ph0) (local.get $ldh)))
        (local.set $px (local.get $xs))
        (local.set $mend (i32.add (local.get $xs) (i32.shl (local.get $m) (i32.const 5))))
        (block $ad (loop $al
          (br_if $ad (i32.ge_u (local.get $px) (local.get $mend)))
          (local.set $x0 (v128.load (local.get $px)))
          (local.set $x1 (v128.load offset=16 (local.get $px)))
          (local.set $h0 (v128.load64_splat (local.get $ph0)))
          (local.set $h1 (v128.load64_splat (local.get $ph1)))
          (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $h0) (local.get $x0))))
          (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $h0) (local.get $x1))))
          (local.set $c10 (f64x2.add (local.get $c10) (f64x2.mul (local.get $h1) (local.get $x0))))
          (local.set $c11 (f64x2.add (local.get $c11) (f64x2.mul (local.get $h1) (local.get $x1))))
          (local.set $px (i32.add (local.get $px) (i32.const 32)))
          (local.set $ph0 (i32.add (local.get $ph0) (i32.const 8)))
          (local.set $ph1 (i32.add (local.get $ph1) (i32.const 8)))
          (br $al)))
        (local.set $q0 (f64x2.add (local.get $q0) (f64x2.mul (local.get $c00) (local.get $c00))))
        (local.set $q1 (f64x2.add (local.get $q1) (f64x2.mul (local.get $c01) (local.get $c01))))
        (local.set $q0 (f64x2.add (local.get $q0) (f64x2.mul (local.get $c10) (local.get $c10))))
        (local.set $q1 (f64x2.add (local.get $q1) (f64x2.mul (local.get $c11) (local.get $c11))))
        (local.set $r (i32.add (local.get $r) (i32.const 2)))
        (br $rl)))
      ;; an odd last row
      (if (i32.lt_s (local.get $r) (local.get $p)) (then
        (local.set $c00 (v128.load64_splat (i32.add (local.get $t0) (i32.shl (local.get $r) (i32.const 3)))))
        (local.set $c01 (local.get $c00))
        (local.set $ph0 (i32.add (local.get $h) (i32.mul (local.get $r) (local.get $ldh))))
        (local.set $px (local.get $xs))
        (local.set $mend (i32.add (local.get $xs) (i32.shl (local.get $m) (i32.const 5))))
        (block $bd (loop $bl
          (br_if $bd (i32.ge_u (local.get $px) (local.get $mend)))
          (local.set $h0 (v128.load64_splat (local.get $ph0)))
          (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $h0) (v128.load (local.get $px)))))
          (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $h0) (v128.load offset=16 (local.get $px)))))
          (local.set $px (i32.add (local.get $px) (i32.const 32)))
          (local.set $ph0 (i32.add (local.get $ph0) (i32.const 8)))
          (br $bl)))
        (local.set $q0 (f64x2.add (local.get $q0) (f64x2.mul (local.get $c00) (local.get $c00))))
        (local.set $q1 (f64x2.add (local.get $q1) (f64x2.mul (local.get $c01) (local.get $c01))))))
      (local.set $px (i32.shl (local.get $j) (i32.const 3)))
      (v128.store (i32.add (local.get $lin) (local.get $px)) (local.get $l0))
      (v128.store offset=16 (i32.add (local.get $lin) (local.get $px)) (local.get $l1))
      (v128.store (i32.add (local.get $energy) (local.get $px)) (local.get $e0))
      (v128.store offset=16 (i32.add (local.get $energy) (local.get $px)) (local.get $e1))
      (v128.store (i32.add (local.get $quad) (local.get $px)) (local.get $q0))
      (v128.store offset=16 (i32.add (local.get $quad) (local.get $px)) (local.get $q1))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $cols)))
  )
)
