//! ONNX Runtime loads on this machine without any environment variable and computes what a
//! graph written by the project's ONNX writer says.

use ndarray::Array2;
use ort::value::TensorRef;
use scale::onnx::{Attr, GraphBuilder};
use scale::runtime::{self, SessionOptions};

#[test]
fn runtime_is_the_pinned_version_with_a_cpu_provider() {
    assert_eq!(runtime::version().unwrap(), "1.32.0");
    let providers = runtime::available_providers().unwrap();
    assert!(
        providers.iter().any(|p| p == "CPUExecutionProvider"),
        "{providers:?}"
    );
}

#[test]
fn a_written_graph_runs_and_computes_the_right_numbers() {
    // y = relu(x · W + b), then a Gather of columns [2, 0] — with a symbolic batch dimension.
    let w: Vec<f32> = (0..12).map(|i| i as f32 * 0.25 - 1.0).collect(); // [4, 3]
    let b = [0.5f32, -0.5, 0.1];
    let mut g = GraphBuilder::new("smoke");
    let x = g.input("x", &["batch".into(), 4.into()]);
    let wn = g.weight("w", &[4, 3], &w);
    let bn = g.weight("b", &[3], &b);
    let mm = g.node("MatMul", &[&x, &wn], &[]);
    let add = g.node("Add", &[&mm, &bn], &[]);
    let relu = g.node("Relu", &[&add], &[]);
    let idx = g.const_i64(&[2], &[2, 0]);
    let picked = g.node("Gather", &[&relu, &idx], &[("axis", Attr::Int(1))]);
    g.output(&picked, "y", &["batch".into(), 2.into()]);
    let mut session = runtime::cpu_session(&g.to_bytes(), SessionOptions::default()).unwrap();

    for batch in [1usize, 5] {
        let xs =
            Array2::from_shape_fn((batch, 4), |(r, c)| (r as f32 + 1.0) * 0.3 - c as f32 * 0.2);
        let out = session
            .run(ort::inputs!["x" => TensorRef::from_array_view(&xs).unwrap()])
            .unwrap();
        let y = out["y"].try_extract_array::<f32>().unwrap();
        assert_eq!(y.shape(), &[batch, 2]);
        for r in 0..batch {
            let row: Vec<f32> = (0..3)
                .map(|c| {
                    let s: f32 = (0..4).map(|k| xs[[r, k]] * w[k * 3 + c]).sum::<f32>() + b[c];
                    s.max(0.0)
                })
                .collect();
            assert!(
                (y[[r, 0]] - row[2]).abs() < 1e-6 && (y[[r, 1]] - row[0]).abs() < 1e-6,
                "row {r}: {y:?} vs {row:?}"
            );
        }
    }
}
