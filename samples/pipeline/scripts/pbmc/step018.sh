#!/bin/sh
# PBMC step 018 of 35: stands in for one analysis script of the seed's pipeline.
# Usage: sh step018.sh SAMPLE — works a few milliseconds, then writes results/pbmc/SAMPLE.step018.
set -eu
sample=$1
i=0
sum=18
while [ $i -lt 100 ]; do i=$((i + 1)); sum=$(( (sum * 31 + i + ${#sample}) % 1000003 )); done
printf '%s\t%s\t%s\n' "$sample" step018 "$sum" > "results/pbmc/$sample.step018"
