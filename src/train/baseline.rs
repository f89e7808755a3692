//! The plain alignment baseline for the results table: the skeleton feature and the class text
//! are projected into one space (`x ↦ W_x x`, `t ↦ MLP(t)`), trained with a softmax over cosine
//! similarities to all seen classes; an unseen window is named by the nearest class text.
//! Epochs are selected on the same seen-class validation split as SCALE's.

use super::shift_gcn::vec_of;
use crate::rng::Rng;
use burn::nn::{Linear, LinearConfig};
use burn::optim::{AdamWConfig, GradientsParams};
use burn::prelude::*;
use burn::tensor::activation::{log_softmax, relu};

#[derive(Module, Debug)]
pub struct Alignment {
    pub skel: Linear,
    pub text1: Linear,
    pub text2: Linear,
}

fn t2(data: Vec<f32>, shape: [usize; 2], dev: &Device) -> Tensor<2> {
    Tensor::<2>::from_data(TensorData::new(data, shape), dev)
}

fn unit(t: Tensor<2>) -> Tensor<2> {
    let n = t.clone().powf_scalar(2.0).sum_dim(1).sqrt().clamp_min(1e-6);
    t / n
}

impl Alignment {
    pub fn new(feature_dim: usize, text_dim: usize, dim: usize, device: &Device) -> Alignment {
        Alignment {
            skel: LinearConfig::new(feature_dim, dim).init(device),
            text1: LinearConfig::new(text_dim, dim).init(device),
            text2: LinearConfig::new(dim, dim).init(device),
        }
    }

    /// Cosine similarities `[B, K]` of standardised features to class texts.
    pub fn similarity(&self, x: Tensor<2>, texts: Tensor<2>) -> Tensor<2> {
        let a = unit(self.skel.forward(x));
        let b = unit(self.text2.forward(relu(self.text1.forward(texts))));
        a.matmul(b.transpose())
    }
}

/// Trains for `epochs` epochs; `on_epoch(epoch, &model)` sees the inference-mode model.
pub fn fit(
    x: &[f32],
    y: &[usize],
    texts: &[Vec<f32>],
    f: usize,
    epochs: usize,
    seed: u64,
    mut on_epoch: impl FnMut(usize, &Alignment),
) -> Alignment {
    let dev = super::device(true);
    dev.seed(seed);
    let k = texts.len();
    let td = texts.first().map_or(0, Vec::len);
    let mut model = Alignment::new(f, td, 256, &dev);
    let mut optim = AdamWConfig::new().with_weight_decay(1e-4).init();
    let tt = t2(texts.concat(), [k, td], &dev);
    let mut order: Vec<usize> = (0..y.len()).collect();
    let mut rng = Rng::new(seed ^ 0xA11);
    for epoch in 1..=epochs {
        rng.shuffle(&mut order);
        for batch in order.chunks(128) {
            let b = batch.len();
            let xb: Vec<f32> = batch
                .iter()
                .flat_map(|&i| x[i * f..(i + 1) * f].iter().copied())
                .collect();
            let yi = Tensor::<1, Int>::from_data(
                TensorData::new(batch.iter().map(|&i| y[i] as i64).collect::<Vec<_>>(), [b]),
                &dev,
            );
            let logits = model.similarity(t2(xb, [b, f], &dev), tt.clone()) / 0.1;
            let loss = log_softmax(logits, 1)
                .gather(1, yi.reshape([b, 1]))
                .neg()
                .mean();
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optim.step(1e-3, model, grads);
        }
        on_epoch(epoch, &model.valid());
    }
    model
}

/// Negative similarities `[n, K]` (so that lower is better, like energies).
pub fn scores(model: &Alignment, x: &[f32], texts: &[Vec<f32>], f: usize) -> Vec<f32> {
    let dev = super::device(false);
    let n = x.len() / f;
    let k = texts.len();
    let td = texts.first().map_or(0, Vec::len);
    let s = model.similarity(
        t2(x.to_vec(), [n, f], &dev),
        t2(texts.concat(), [k, td], &dev),
    );
    vec_of(s.neg())
}
