//! How the 25 Kinect v2 joints are made from another layout's joints: a table of rules, one per
//! Kinect joint (copied, or the midpoint of two source joints, or placed from Kinect joints
//! already made), and the axis change from camera (OpenCV) axes to Kinect camera space.

use super::joints::{Joints, NUM_JOINTS};

/// Where one Kinect v2 joint comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// This source joint.
    Copy(usize),
    /// The midpoint of these two source joints.
    Mid(usize, usize),
    /// Placed by the layout's rule from Kinect joints made before it.
    Placed,
}

/// The point `t` of the way from `from` to `to` (t > 1 goes past `to`).
pub fn along(from: [f32; 3], to: [f32; 3], t: f32) -> [f32; 3] {
    std::array::from_fn(|k| from[k] + t * (to[k] - from[k]))
}

/// Camera axes as OpenCV, the Azure Kinect SDK, MediaPipe's landmarks and the ZED SDK's `IMAGE`
/// system have them (x right and y down in the image, z away from the camera: right-handed) →
/// Kinect camera space (x to the sensor's left, y up, z away: also right-handed). A rotation
/// by 180° about z, not a mirror: the body keeps its left and right.
pub fn from_camera_axes(p: [f32; 3]) -> [f32; 3] {
    [-p[0], -p[1], p[2]]
}

/// The Kinect joints of `table` read from `src` (axes changed by `axes`); `Placed` joints are
/// left at zero for the caller to place.
pub fn apply(
    table: &[Source; NUM_JOINTS],
    src: &[[f32; 3]],
    axes: fn([f32; 3]) -> [f32; 3],
) -> Joints {
    let mut out = [[0.0; 3]; NUM_JOINTS];
    for (o, rule) in out.iter_mut().zip(table) {
        *o = match *rule {
            Source::Copy(i) => axes(src[i]),
            Source::Mid(a, b) => axes(along(src[a], src[b], 0.5)),
            Source::Placed => [0.0; 3],
        };
    }
    out
}

/// Every source joint a table reads, once per use (tests: no joint is read twice by copies).
pub fn sources(table: &[Source; NUM_JOINTS]) -> impl Iterator<Item = usize> + '_ {
    table.iter().flat_map(|r| match *r {
        Source::Copy(i) => vec![i],
        Source::Mid(a, b) => vec![a, b],
        Source::Placed => vec![],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_axis_change_is_a_rotation_not_a_mirror() {
        // Right-handed in, right-handed out: x × y = z is kept.
        let (x, y) = (
            from_camera_axes([1.0, 0.0, 0.0]),
            from_camera_axes([0.0, 1.0, 0.0]),
        );
        let z = [
            x[1] * y[2] - x[2] * y[1],
            x[2] * y[0] - x[0] * y[2],
            x[0] * y[1] - x[1] * y[0],
        ];
        assert_eq!(z, from_camera_axes([0.0, 0.0, 1.0]));
        assert_eq!(from_camera_axes([0.1, -1.2, 2.5]), [-0.1, 1.2, 2.5]);
    }
}
