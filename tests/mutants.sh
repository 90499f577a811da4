#!/usr/bin/env bash
# A sampled mutation score of a module that guards data or verdicts (not part of CI):
#   bash tests/mutants.sh MODULE [SHARD]     e.g. bash tests/mutants.sh src/runs/outdir.rs 0/12
# Needs `cargo install cargo-mutants`. Mutates a git worktree of HEAD (the checkout is
# never touched) built in its own target folder (MUTANTS_TARGET_DIR, default
# target/mutants/build), so other builds can go on, and runs the
# tests that guard MODULE against each mutant of the round-robin shard (default 0/8).
# Results: target/mutants/<module>/mutants.out (caught.txt, missed.txt, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
module="${1:?give a module, e.g. src/runs/outdir.rs}"
shard="${2:-0/8}"
case "$module" in
  src/science/stats.rs) filters=(stats:: experiment::targets experiment::knockout_losses) ;;
  src/science/evidence.rs) filters=(evidence:: experiment:: report::) ;;
  src/runs/outdir.rs) filters=(outdir:: cli::) ;;
  src/world/checkpoint.rs)
    filters=(checkpoint:: cli::run_writes cli::corrupt cli::keep_checkpoints cli::a_missing
      fuzz::damaged determinism::cpu_resume) ;;
  *) echo "tests/mutants.sh: no test filters for $module (add them here)" >&2; exit 2 ;;
esac
name="$(basename "$module" .rs)"
root="$PWD"
out="$root/target/mutants/$name"
tree="$(mktemp -d)/tree"
git worktree add --detach "$tree" HEAD >/dev/null
trap 'git -C "$root" worktree remove --force "$tree"' EXIT
mkdir -p "$out"
cd "$tree"
CARGO_TARGET_DIR="${MUTANTS_TARGET_DIR:-$root/target/mutants/build}" CARGO_PROFILE_RELEASE_INCREMENTAL=true \
  cargo mutants --in-place --file "$module" --shard "$shard" --sharding round-robin \
  -C --release --output "$out" --timeout 900 --build-timeout 900 \
  -- --lib --test suite -- "${filters[@]}"
