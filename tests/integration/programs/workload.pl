#!/usr/bin/perl
# Allocation-heavy, deterministic Perl workload for the real-program tests:
# hash and string churn, nested data, sort, regular expressions.  Prints only
# values, never addresses, so a run under libdebugmalloc prints the same.
use strict;
use warnings;

my $scale = shift // 1;
my $seed = 12345;
sub rnd { $seed = ($seed * 1103515245 + 12345) % 2147483648; return $seed >> 8; }   # own LCG: stable everywhere

my @letters = ('a' .. 'z');
my @words;
for (1 .. 40000 * $scale) {
    my $len = 2 + rnd() % 10;
    push @words, join '', map { $letters[rnd() % 26] } 1 .. $len;
}

# hash churn: counts, grouping, deletion and re-insertion
my %count;
$count{$_}++ for @words;
my %by_prefix;
push @{ $by_prefix{ substr $_, 0, 2 } }, $_ for @words;
for my $round (1 .. 5) {
    delete $count{$_} for grep { length($_) % 5 == $round % 5 } keys %count;
    $count{ $_ . $round }++ for @words[0 .. 5000];
}
my @top = (sort { $count{$b} <=> $count{$a} || $a cmp $b } keys %count)[0 .. 4];
print "words ", scalar(@words), " keys ", scalar(keys %count), " prefixes ", scalar(keys %by_prefix), "\n";
print "top @top\n";

# nested records, sorted on several keys
my @recs = map { { id => $_, name => $words[$_], score => ($_ * 7919) % 1000, tags => [ @words[$_ .. $_ + 3] ] } } 0 .. 20000 * $scale;
my @sorted = sort { $b->{score} <=> $a->{score} || $a->{name} cmp $b->{name} || $a->{id} <=> $b->{id} } @recs;
print "sorted $sorted[0]{id} $sorted[1]{id} $sorted[-1]{id} tags @{ $sorted[0]{tags} }\n";

# string churn: concatenation, substr, reverse, sprintf, join/split
my $blob = '';
for my $i (0 .. 30000 * $scale) {
    $blob .= sprintf("%05d:%s;", $i, ($i % 2) ? uc $words[$i % @words] : scalar reverse $words[$i % @words]);
}
my @fields = split /;/, $blob;
my $len = 0;
$len += length for @fields;
print "blob ", length($blob), " fields ", scalar(@fields), " len $len\n";

# regular expressions: matches, captures, substitutions with /e, tr
my $text = join ' ', @words;
my @vowel_words = $text =~ /\b([aeiou]\w{3,})\b/g;
(my $swapped = $text) =~ s/(\w)(\w*)(\w)/$3$2$1/g;
(my $upper = $text) =~ s/\b(\w)(\w*)/\U$1\E$2/g;
(my $nums = substr $text, 0, 50000) =~ s/(\w+)/length($1)/ge;
my $xs = ($text =~ tr/x//);
my %seen;
my @uniq = grep { !$seen{$_}++ } map { /^(\w{3})/ ? $1 : () } @words;
print "regex ", scalar(@vowel_words), " ", substr($swapped, 0, 40), " ", substr($upper, 0, 40), " ",
      length($nums), " x=$xs uniq=", scalar(@uniq), "\n";

my $checksum = 0;
for my $w (sort @words) { $checksum = ($checksum * 31 + length $w) % 1000000007; }
print "checksum $checksum\n";
