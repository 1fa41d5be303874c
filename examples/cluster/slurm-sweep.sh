#!/usr/bin/env bash
# Slurm job array: one shard of the sweep per array task; merge afterwards with
#   pinelab merge runs/sweep-churn-shard-* -o runs/sweep-churn
#SBATCH --job-name=pinelab-sweep
#SBATCH --array=1-8
#SBATCH --cpus-per-task=4
#SBATCH --mem=8G
#SBATCH --time=02:00:00
set -euo pipefail
cd "${SLURM_SUBMIT_DIR}"
N="${SLURM_ARRAY_TASK_COUNT}"
K="${SLURM_ARRAY_TASK_ID}"
npm run --silent pinelab -- sweep scenarios/examples/churn.json \
  --param hybrid=on,off --param latency=1ms,20ms --reps 5 \
  --workers "${SLURM_CPUS_PER_TASK}" --shard "${K}/${N}" \
  --out "runs/sweep-churn-shard-${K}"
