#!/bin/sh
# The post-analysis: runs once every job succeeded, reads every result, writes one line per sample.
set -eu
find results/cfdna results/pbmc -type f -name '*.step*' -exec cat {} + |
  awk -F '\t' '{ steps[$1]++; total[$1] += $3 }
       END { for (s in steps) printf "%s\t%d\t%d\n", s, steps[s], total[s] }' |
  sort > results/summary.tsv
samples=$(wc -l < results/summary.tsv)
results=$(awk -F '\t' '{ n += $2 } END { print n }' results/summary.tsv)
echo "post-analysis: $samples samples, $results results; summary in results/summary.tsv"
