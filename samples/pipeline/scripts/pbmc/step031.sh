#!/bin/sh
# PBMC step 031 of 35: stands in for one analysis script of the seed's pipeline.
# Usage: sh step031.sh SAMPLE — works a few milliseconds, then writes results/pbmc/SAMPLE.step031.
set -eu
sample=$1
i=0
sum=31
while [ $i -lt 100 ]; do i=$((i + 1)); sum=$(( (sum * 31 + i + ${#sample}) % 1000003 )); done
printf '%s\t%s\t%s\n' "$sample" step031 "$sum" > "results/pbmc/$sample.step031"
