pub fn all() -> anyhow::Result<()> {
    anyhow::bail!("bench: not yet")
}
