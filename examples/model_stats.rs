//! Parameters and multiply–accumulates per window of the Shift-GCN encoder and the SCALE energy
//! head, for the paper-sized configuration and the bundled default model.
//!
//! `cargo run --release --example model_stats`

use scale::model::cvae::{CvaeConfig, CvaeWeights};
use scale::model::shift_gcn::ShiftGcnConfig;
use scale::train::{self, cvae::Cvae, shift_gcn::ShiftGcn};

fn encoder_params(cfg: &ShiftGcnConfig) -> (usize, usize) {
    let w = ShiftGcn::new(cfg, &train::device(false)).to_weights();
    let t = w.to_tensors();
    let total: usize =
        t.0.iter()
            .filter(|(k, _)| !k.ends_with(".mean") && !k.ends_with(".var"))
            .map(|(_, v)| v.data.len())
            .sum();
    let classifier = w.classifier.w.len() + w.classifier.b.len();
    (total - classifier, classifier)
}

fn head(cfg: &CvaeConfig) -> CvaeWeights {
    let f = cfg.feature_dim;
    Cvae::new(cfg, &train::device(false)).to_weights(vec![0.0; f], vec![1.0; f])
}

fn main() {
    for (name, width, window) in [
        ("paper size (width 1.0, T = 64)", 1.0, 64),
        ("bundled default (width 0.25, T = 32)", 0.25, 32),
    ] {
        let cfg = ShiftGcnConfig {
            sensor_window: None,
            body_scale: false,
            centring: Default::default(),
            width,
            window,
            bodies: 2,
            num_classes: 35,
        };
        let (p, c) = encoder_params(&cfg);
        println!(
            "Shift-GCN, {name}: {p} parameters (+{c} in the pre-training classifier), feature {}",
            cfg.feature_dim()
        );
        println!(
            "  per window: {:.1} MMAC with M = 1 body, {:.1} MMAC with M = 2 (the model always runs M = 2)",
            cfg.macs_per_window(1) as f64 / 1e6,
            cfg.macs_per_window(2) as f64 / 1e6
        );
        let cvae = CvaeConfig {
            feature_dim: cfg.feature_dim(),
            text_dim: 384,
            cond_dim: 256,
            hidden: 256,
            latent: 64,
            beta: 1.0,
            score_beta: None,
            class_conditioned: true,
            members: 1,
        };
        let w = head(&cvae);
        let params: usize = w
            .to_tensors()
            .0
            .iter()
            .filter(|(k, _)| !k.starts_with("feature_"))
            .map(|(_, v)| v.data.len())
            .sum();
        println!(
            "  SCALE CVAE (hidden 256, latent 64): {params} parameters; energy head per window: {:.2} MMAC for 5 classes, {:.2} MMAC for 40 (q(z|x,c)); {:.2} MMAC for 40 with q(z|x)",
            w.macs_per_window(5) as f64 / 1e6,
            w.macs_per_window(40) as f64 / 1e6,
            head(&CvaeConfig {
                class_conditioned: false,
                ..cvae.clone()
            })
            .macs_per_window(40) as f64
                / 1e6
        );
    }
}
