//! Compiles the two Goldmane API shapes with protox (a protobuf compiler in Rust, so no
//! protoc is needed) into one module each: `$OUT_DIR/v3_30/goldmane.rs`, `…/v3_32/…`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
    for (version, file) in [
        ("v3_30", "goldmane-v3.30.proto"),
        ("v3_32", "goldmane-v3.32.proto"),
    ] {
        println!("cargo:rerun-if-changed=proto/{file}");
        let descriptors = protox::compile([file], ["proto"])?;
        let dir = out.join(version);
        std::fs::create_dir_all(&dir)?;
        tonic_build::configure()
            .out_dir(&dir)
            .compile_fds(descriptors)?;
    }
    Ok(())
}
