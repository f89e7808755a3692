//! The little 3-D algebra forward kinematics needs: `f64` vectors and row-major 3×3 rotation
//! matrices acting on column vectors (right-handed: a positive angle turns counter-clockwise
//! when the axis points at the viewer).

pub type V3 = [f64; 3];
pub type M3 = [[f64; 3]; 3];

pub const IDENTITY: M3 = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];

pub fn add(a: V3, b: V3) -> V3 {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}

pub fn sub(a: V3, b: V3) -> V3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

pub fn scale(a: V3, k: f64) -> V3 {
    [a[0] * k, a[1] * k, a[2] * k]
}

pub fn dot(a: V3, b: V3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

pub fn norm(a: V3) -> f64 {
    dot(a, a).sqrt()
}

pub fn distance(a: V3, b: V3) -> f64 {
    norm(sub(a, b))
}

/// `a + t (b − a)`.
pub fn lerp(a: V3, b: V3, t: f64) -> V3 {
    add(a, scale(sub(b, a), t))
}

pub fn mid(a: V3, b: V3) -> V3 {
    lerp(a, b, 0.5)
}

/// `m · v`.
pub fn apply(m: &M3, v: V3) -> V3 {
    [dot(m[0], v), dot(m[1], v), dot(m[2], v)]
}

/// `a · b`.
pub fn mul(a: &M3, b: &M3) -> M3 {
    let mut out = [[0.0; 3]; 3];
    for (r, row) in out.iter_mut().enumerate() {
        for (c, x) in row.iter_mut().enumerate() {
            *x = a[r][0] * b[0][c] + a[r][1] * b[1][c] + a[r][2] * b[2][c];
        }
    }
    out
}

/// The inverse of a rotation.
pub fn transpose(m: &M3) -> M3 {
    let mut out = [[0.0; 3]; 3];
    for (r, row) in m.iter().enumerate() {
        for (c, x) in row.iter().enumerate() {
            out[c][r] = *x;
        }
    }
    out
}

/// Rotation by `radians` about coordinate axis `axis` (0 = X, 1 = Y, 2 = Z).
pub fn axis_rotation(axis: usize, radians: f64) -> M3 {
    let (s, c) = radians.sin_cos();
    match axis {
        0 => [[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]],
        1 => [[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]],
        _ => [[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]],
    }
}

/// Rotations about the moving (intrinsic) axes in the listed order, as BVH channels are:
/// `R = R(axes[0]) · R(axes[1]) · …`.
pub fn intrinsic(axes: &[(usize, f64)]) -> M3 {
    axes.iter().fold(IDENTITY, |r, &(axis, radians)| {
        mul(&r, &axis_rotation(axis, radians))
    })
}

/// Rotations about the fixed (extrinsic) axes, the first listed applied first, as the Acclaim
/// `axis XYZ` and `dof rx ry rz` orders are: `R = … · R(axes[1]) · R(axes[0])`.
pub fn extrinsic(axes: &[(usize, f64)]) -> M3 {
    axes.iter().fold(IDENTITY, |r, &(axis, radians)| {
        mul(&axis_rotation(axis, radians), &r)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: V3, b: V3) -> bool {
        distance(a, b) < 1e-9
    }

    #[test]
    fn axis_rotations_are_right_handed() {
        let q = std::f64::consts::FRAC_PI_2;
        assert!(close(
            apply(&axis_rotation(2, q), [1.0, 0.0, 0.0]),
            [0.0, 1.0, 0.0]
        ));
        assert!(close(
            apply(&axis_rotation(0, q), [0.0, 1.0, 0.0]),
            [0.0, 0.0, 1.0]
        ));
        assert!(close(
            apply(&axis_rotation(1, q), [0.0, 0.0, 1.0]),
            [1.0, 0.0, 0.0]
        ));
    }

    #[test]
    fn intrinsic_and_extrinsic_orders() {
        let q = std::f64::consts::FRAC_PI_2;
        // Intrinsic Z then X: v' = Rz · Rx · v. Rx takes +Y to +Z, Rz keeps +Z.
        let zx = intrinsic(&[(2, q), (0, q)]);
        assert!(close(apply(&zx, [0.0, 1.0, 0.0]), [0.0, 0.0, 1.0]));
        // Intrinsic X then Z: v' = Rx · Rz · v. Rz takes +Y to −X, Rx keeps −X.
        let xz = intrinsic(&[(0, q), (2, q)]);
        assert!(close(apply(&xz, [0.0, 1.0, 0.0]), [-1.0, 0.0, 0.0]));
        // Extrinsic X then Z is intrinsic Z then X.
        let e = extrinsic(&[(0, q), (2, q)]);
        for (a, b) in e.iter().flatten().zip(zx.iter().flatten()) {
            assert!((a - b).abs() < 1e-12);
        }
        let m = mul(&zx, &transpose(&zx));
        for (a, b) in m.iter().flatten().zip(IDENTITY.iter().flatten()) {
            assert!((a - b).abs() < 1e-12);
        }
    }
}
