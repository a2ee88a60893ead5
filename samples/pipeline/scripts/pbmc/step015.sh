#!/bin/sh
# PBMC step 015 of 35: stands in for one analysis script of the seed's pipeline.
# Usage: sh step015.sh SAMPLE — works a few milliseconds, then writes results/pbmc/SAMPLE.step015.
set -eu
sample=$1
i=0
sum=15
while [ $i -lt 100 ]; do i=$((i + 1)); sum=$(( (sum * 31 + i + ${#sample}) % 1000003 )); done
printf '%s\t%s\t%s\n' "$sample" step015 "$sum" > "results/pbmc/$sample.step015"
