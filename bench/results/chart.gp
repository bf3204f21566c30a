# Time per layer and implementation (wgbench); gnuplot chart.gp -> chart.png
set terminal pngcairo size 1100,600 font ',10'
set output 'bench/results/chart.png'
set title 'wrapgemm: ms per ResNet-18 3x3 layer (1 thread, median of 9)' noenhanced
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set logscale y
set grid ytics
set ylabel 'ms per layer (log scale, lower is better)'
set datafile missing '-'
set key outside right noenhanced
plot 'bench/results/chart.dat' using 2:xtic(1) title '8-bit wrapgemm', '' using 3 title '32-bit wrapgemm', '' using 4 title '32-bit gemmlowp', '' using 5 title '32-bit oneDNN', '' using 6 title 'float OpenBLAS', '' using 7 title 'bit packing (SWAR)', '' using 8 title 'naive loop', '' using 9 title 'paper: 8-bit' fs pattern 4, '' using 10 title 'paper: 32-bit' fs pattern 5, '' using 11 title 'paper: bit packing' fs pattern 6, '' using 12 title 'paper: naive' fs pattern 7
