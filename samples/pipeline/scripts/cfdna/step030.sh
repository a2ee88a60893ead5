#!/bin/sh
# cfDNA step 030 of 100: stands in for one analysis script of the seed's pipeline.
# Usage: sh step030.sh SAMPLE — works a few milliseconds, then writes results/cfdna/SAMPLE.step030.
set -eu
sample=$1
i=0
sum=30
while [ $i -lt 100 ]; do i=$((i + 1)); sum=$(( (sum * 31 + i + ${#sample}) % 1000003 )); done
printf '%s\t%s\t%s\n' "$sample" step030 "$sum" > "results/cfdna/$sample.step030"
