#!/bin/sh
# cfDNA step 082 of 100: stands in for one analysis script of the seed's pipeline.
# Usage: sh step082.sh SAMPLE — works a few milliseconds, then writes results/cfdna/SAMPLE.step082.
set -eu
sample=$1
i=0
sum=82
while [ $i -lt 100 ]; do i=$((i + 1)); sum=$(( (sum * 31 + i + ${#sample}) % 1000003 )); done
printf '%s\t%s\t%s\n' "$sample" step082 "$sum" > "results/cfdna/$sample.step082"
