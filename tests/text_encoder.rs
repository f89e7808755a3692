//! The text encoder against sentence-transformers' own output (`../shared/fixtures/text/`).

mod common;

use common::fixture;
use scale::catalog::Catalog;
use scale::text::classes::{ClassEmbeddings, class_text, class_views};
use scale::text::{TEXT_DIM, TextEncoder, cosine};

#[derive(serde::Deserialize)]
struct Reference {
    items: Vec<Item>,
}

#[derive(serde::Deserialize)]
struct Item {
    text: String,
    n_tokens: usize,
    embedding: Vec<f32>,
}

#[test]
fn matches_sentence_transformers_to_1e_5_batched_and_alone() {
    let Some(path) = fixture("text/minilm_reference.json") else {
        return;
    };
    let reference: Reference = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut enc = TextEncoder::load().unwrap();
    let texts: Vec<&str> = reference.items.iter().map(|i| i.text.as_str()).collect();
    let batched = enc.embed(&texts).unwrap();
    let mut worst = (0.0f32, "");
    for (item, got) in reference.items.iter().zip(&batched) {
        assert_eq!(
            enc.token_count(&item.text).unwrap(),
            item.n_tokens,
            "{}",
            item.text
        );
        assert_eq!(item.embedding.len(), TEXT_DIM);
        let alone = &enc.embed(&[item.text.as_str()]).unwrap()[0];
        for (v, name) in [(got, "batched"), (alone, "alone")] {
            let diff = v
                .iter()
                .zip(&item.embedding)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0f32, f32::max);
            assert!(diff <= 1e-5, "{name} {:?}: max abs diff {diff}", item.text);
            if diff > worst.0 {
                worst = (diff, item.text.as_str());
            }
        }
        let norm: f32 = got.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5);
    }
    assert!(
        reference.items.iter().any(|i| i.n_tokens == 167),
        "the long sentence is in the reference"
    );
    eprintln!(
        "text parity: worst max abs diff {:.3e} ({:?})",
        worst.0, worst.1
    );
}

#[test]
fn class_cache_records_the_catalogue_and_is_rebuilt_when_it_changes() {
    if fixture("text/minilm_reference.json").is_none() {
        return;
    }
    let catalog = Catalog::builtin();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("classes.json");
    let (first, rebuilt) =
        ClassEmbeddings::load_or_build(&catalog, &path, TextEncoder::load).unwrap();
    assert!(rebuilt);
    assert_eq!(first.classes.len(), catalog.classes.len());
    assert_eq!(first.catalog_hash, catalog.hash);
    // Mirror-image classes are close in text space, unrelated ones further apart.
    let by = |name: &str| {
        first
            .classes
            .iter()
            .find(|c| c.name == name)
            .unwrap()
            .embedding
            .clone()
    };
    let near = cosine(
        &by("raise the left arm sideways"),
        &by("raise the right arm sideways"),
    );
    let far = cosine(&by("raise the left arm sideways"), &by("falling"));
    assert!(near > 0.8 && far < near - 0.2, "near {near} far {far}");
    // Loading again reuses the file.
    let (again, rebuilt) =
        ClassEmbeddings::load_or_build(&catalog, &path, || panic!("must not rebuild")).unwrap();
    assert!(!rebuilt);
    assert_eq!(again, first);
    // A changed catalogue (new class added by text) makes the cache stale.
    let mut text = include_str!("../models/catalog.json").to_string();
    text = text.replacen(
        "\"classes\": [",
        "\"classes\": [\n    {\"id\": 99, \"name\": \"juggling\", \"descriptions\": [\"both hands toss balls up and catch them in a loop\"]},",
        1,
    );
    let changed = Catalog::parse(&text, "changed").unwrap();
    let stale = ClassEmbeddings::load(&path).unwrap();
    assert!(!stale.matches(&changed));
    let (fresh, rebuilt) =
        ClassEmbeddings::load_or_build(&changed, &path, TextEncoder::load).unwrap();
    assert!(rebuilt && fresh.get(99).is_some());
}

#[test]
fn a_class_has_one_view_per_text_and_its_vector_is_their_normalised_mean() {
    if fixture("text/minilm_reference.json").is_none() {
        return;
    }
    let catalog = Catalog::builtin();
    let class = &catalog.classes[0];
    let mut enc = TextEncoder::load().unwrap();
    let views = class_views(&mut enc, &class.name, &class.descriptions).unwrap();
    assert_eq!(views.len(), 1 + class.descriptions.len());
    // The name's view is the name embedded alone; every view has unit length.
    let name_alone = enc.embed(&[class.name.as_str()]).unwrap()[0];
    let diff = views[0]
        .iter()
        .zip(&name_alone)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(diff < 1e-5, "{diff}");
    for v in &views {
        let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5);
    }
    // The class vector: their mean, normalised, bit for bit.
    let mut mean = vec![0.0f32; TEXT_DIM];
    for v in &views {
        for (m, x) in mean.iter_mut().zip(v) {
            *m += x / views.len() as f32;
        }
    }
    let norm = mean.iter().map(|x| x * x).sum::<f32>().sqrt();
    mean.iter_mut().for_each(|x| *x /= norm);
    assert_eq!(
        class_text(&mut enc, &class.name, &class.descriptions).unwrap(),
        mean
    );
    // The phrasings differ: a description is not its class name.
    assert!(cosine(&views[0], &views[1]) < 0.95);
}

#[test]
fn cli_embed_json_gives_unit_vectors_with_the_reference_cosine() {
    let Some(path) = fixture("text/minilm_reference.json") else {
        return;
    };
    let reference: Reference = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let r = |t: &str| {
        reference
            .items
            .iter()
            .find(|i| i.text == t)
            .unwrap()
            .embedding
            .clone()
    };
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_scale"))
        .args(["text", "embed", "--json", "drink water", "eat meal"])
        .output()
        .unwrap();
    let v = common::last_json_line(&out);
    let vec = |i: usize| -> Vec<f32> {
        v[i]["embedding"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap() as f32)
            .collect()
    };
    assert_eq!(
        (v[0]["text"].as_str(), v[1]["text"].as_str()),
        (Some("drink water"), Some("eat meal"))
    );
    let (a, b) = (vec(0), vec(1));
    assert_eq!((a.len(), b.len()), (384, 384));
    for x in [&a, &b] {
        assert!((x.iter().map(|v| v * v).sum::<f32>().sqrt() - 1.0).abs() < 1e-5);
    }
    assert!((cosine(&a, &b) - cosine(&r("drink water"), &r("eat meal"))).abs() < 1e-5);
}
