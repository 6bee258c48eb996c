# Reference values for setara.monitoring.change / growth_incidence (tests/monitoring).
# R 4.2, survey 4.1-1. Run from the repository root:
#   Rscript tests/data/monitoring/r_change_reference.R
# Both rounds of rounds.csv are stacked in one design:
#   independent: strata = round x stratum, PSU = round x psu (the sum of the two variances)
#   common:      strata = stratum, PSU = stratum x psu, so a PSU of both rounds is one PSU
# The change is svycontrast(after - before) over svyby(~..., ~round, ...).
library(survey)
options(digits = 15)
d <- read.csv("tests/data/monitoring/rounds.csv")
d$poor <- as.numeric(d$y <= d$line)
d$poor_gap <- ifelse(d$y <= d$line, (d$line - d$y) / d$line, 0)
d$round <- factor(d$round)
designs <- list(
  independent = svydesign(ids = ~interaction(round, psu), strata = ~interaction(round, stratum),
                          weights = ~weight, data = d, nest = TRUE),
  common = svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, data = d, nest = TRUE)
)
out <- data.frame()
add <- function(case, measure, params, domain, est, con, df) {
  out <<- rbind(out, data.frame(case = case, measure = measure, params = params,
                                domain = domain, before = est[1], after = est[2],
                                change = coef(con)[1], se = SE(con)[1], df = df))
}
for (case in names(designs)) {
  des <- designs[[case]]
  df <- degf(des)
  specs <- list(
    list("mean", "", ~y, svymean),
    list("total", "", ~y, svytotal),
    list("fgt", "alpha=0,line=@line", ~poor, svymean),
    list("fgt", "alpha=1,line=@line", ~poor_gap, svymean)
  )
  for (s in specs) {
    b <- svyby(s[[3]], ~round, des, s[[4]], covmat = TRUE)
    add(case, s[[1]], s[[2]], "", coef(b), svycontrast(b, c(-1, 1)), df)
    # by region: every region's change from one svyby with the covariance matrix
    br <- svyby(s[[3]], ~region + round, des, s[[4]], covmat = TRUE)
    for (r in sort(unique(d$region))) {
      k <- which(br$region == r)
      con <- svycontrast(br, setNames(as.numeric(seq_along(coef(br)) == k[2]) -
                                        as.numeric(seq_along(coef(br)) == k[1]), names(coef(br))))
      add(case, s[[1]], s[[2]], r, coef(br)[k], con, degf(subset(des, region == r)))
    }
  }
  b <- svyby(~y, ~round, des, svyratio, denominator = ~hhsize, covmat = TRUE)
  add(case, "ratio", "denominator=hhsize", "", coef(b), svycontrast(b, c(-1, 1)), df)
}
write.csv(out, "tests/data/monitoring/r_change_expected.csv", row.names = FALSE)

# Growth incidence points for independent rounds: Woodruff SEs of each round's quantile
# (svyquantile, interval.type = "mean", on the round's own design) and the delta method,
#   g = q2/q1 - 1,  se(g) = sqrt(se2^2 + (q2/q1)^2 se1^2) / q1.
gic <- data.frame()
for (p in c(0.1, 0.25, 0.5, 0.75, 0.9)) {
  qs <- sapply(1:2, function(r) {
    des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight,
                     data = d[d$round == r, ], nest = TRUE)
    q <- svyquantile(~y, des, p, interval.type = "mean", ci = TRUE, se = TRUE)
    c(coef(q)[1], SE(q)[1])
  })
  ratio <- qs[1, 2] / qs[1, 1]
  gic <- rbind(gic, data.frame(p = p, before = qs[1, 1], after = qs[1, 2],
                               se_before = qs[2, 1], se_after = qs[2, 2],
                               growth = ratio - 1,
                               se = sqrt(qs[2, 2]^2 + ratio^2 * qs[2, 1]^2) / qs[1, 1]))
}
write.csv(gic, "tests/data/monitoring/r_gic_expected.csv", row.names = FALSE)
