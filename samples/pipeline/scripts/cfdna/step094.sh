#!/bin/sh
# cfDNA step 094 of 100: stands in for one analysis script of the seed's pipeline.
# Usage: sh step094.sh SAMPLE — works a few milliseconds, then writes results/cfdna/SAMPLE.step094.
set -eu
sample=$1
i=0
sum=94
while [ $i -lt 100 ]; do i=$((i + 1)); sum=$(( (sum * 31 + i + ${#sample}) % 1000003 )); done
printf '%s\t%s\t%s\n' "$sample" step094 "$sum" > "results/cfdna/$sample.step094"
