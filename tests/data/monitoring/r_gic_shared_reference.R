# Reference values for setara.monitoring.growth_incidence with rounds sharing PSUs
# (tests/monitoring/test_gic.py). R 4.2, survey 4.1-1. Run from the repository root:
#   Rscript tests/data/monitoring/r_gic_shared_reference.R
#
# Both rounds of rounds.csv are stacked in one design in which a PSU of both rounds is one PSU
# (strata = stratum, PSU = stratum x psu), as in r_change_reference.R ("common").
#
# R survey's svyquantile returns no influence functions, so svyby(..., svyquantile,
# covmat = TRUE) stops ("FUN does not return influence functions"): R has no covariance of two
# rounds' quantiles. The formulation used here, which is Setara's definition:
#   * each round's quantile q_r and its Woodruff SE se_r: svyquantile(interval.type = "mean")
#     on the round's own design (subset to the region for a region's row), exactly the SE
#     R reports for that round alone;
#   * the correlation rho of the two quantiles: the correlation of their linearizations on
#     the stacked design. A quantile's linearization is -(1{y <= q_r} - p) / (N_r f_r(q_r))
#     on the rows of round r in the domain (0 elsewhere) (Deville 1999; Osier 2009). The
#     factor 1 / (N_r f_r(q_r)) is one constant per round and domain, so it cancels in a
#     correlation: rho is the correlation of the totals of u_r = 1{round r, in domain}
#     (1{y <= q_r} - p), vcov(svytotal(~u1 + u2, stacked)), no density needed;
#   * the growth g = q2 / q1 - 1 by the delta method with Cov(q1, q2) = rho se1 se2:
#       se(g) = sqrt(se2^2 + r^2 se1^2 - 2 r rho se1 se2) / q1,  r = q2 / q1;
#   * df: degf of the stacked design (subset to the region), as for a change.
# Rows whose Woodruff CDF interval leaves [0, 1] or falls below the weight share of the
# smallest value are flagged `boundary`: there R survey's quantile rule differs from Setara's
# (see the comment in the loop and docs/change-over-time.md); their SEs are not compared.
# The growth of the mean, m2 / m1 - 1, is svycontrast(quote(`2` / `1` - 1)) over
# svyby(~y, ~round, stacked, svymean, covmat = TRUE): R's own delta method, both designs.
library(survey)
options(digits = 15)
d <- read.csv("tests/data/monitoring/rounds.csv")
d$round <- factor(d$round)
stacked <- list(
  independent = svydesign(ids = ~interaction(round, psu), strata = ~interaction(round, stratum),
                          weights = ~weight, data = d, nest = TRUE),
  common = svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, data = d, nest = TRUE)
)
own <- lapply(1:2, function(r) {
  svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, data = d[d$round == r, ],
            nest = TRUE)
})
out <- data.frame()
domains <- c("", sort(unique(d$region)))
for (domain in domains) {
  inside <- if (domain == "") rep(TRUE, nrow(d)) else d$region == domain
  common <- if (domain == "") stacked$common else subset(stacked$common, region == domain)
  for (p in c(0.1, 0.25, 0.5, 0.75, 0.9)) {
    qs <- sapply(1:2, function(r) {
      des <- if (domain == "") own[[r]] else subset(own[[r]], region == domain)
      q <- svyquantile(~y, des, p, interval.type = "mean", ci = TRUE, se = TRUE)
      # the CDF interval of woodruffCI: outside [0, 1] R gives NaN; below the weight share of
      # the smallest value, qrule_math's qs() takes position 1 and returns the *second*
      # smallest value (survey:::last gives 1 when no share is <= p). Setara takes the
      # smallest value whose CDF reaches p in both cases (clipped to the data): flagged.
      m <- svymean(~I(as.numeric(y <= coef(q)[1])), des)
      half <- qt(0.975, degf(des)) * SE(m)[1]
      w <- weights(des, "sampling")
      first <- sum(w[des$variables$y == min(des$variables$y[w > 0]) & w > 0]) / sum(w)
      boundary <- coef(m)[1] - half < first || coef(m)[1] + half > 1
      c(coef(q)[1], SE(q)[1], boundary)
    })
    u <- sapply(1:2, function(r) {
      ifelse(inside & d$round == r, as.numeric(d$y <= qs[1, r]) - p, 0)
    })
    des_u <- update(stacked$common, u1 = u[, 1], u2 = u[, 2])
    v <- vcov(svytotal(~u1 + u2, des_u))
    rho <- v[1, 2] / sqrt(v[1, 1] * v[2, 2])
    ratio <- qs[1, 2] / qs[1, 1]
    se <- sqrt(qs[2, 2]^2 + ratio^2 * qs[2, 1]^2 - 2 * ratio * rho * qs[2, 1] * qs[2, 2]) /
      qs[1, 1]
    out <- rbind(out, data.frame(case = "common", measure = "gic", params = sprintf("p=%g", p),
                                 domain = domain, before = qs[1, 1], after = qs[1, 2],
                                 growth = ratio - 1, se = se, rho = rho, df = degf(common),
                                 boundary = as.logical(qs[3, 1] || qs[3, 2])))
  }
  for (case in names(stacked)) {
    des <- if (domain == "") stacked[[case]] else subset(stacked[[case]], region == domain)
    b <- svyby(~y, ~round, des, svymean, covmat = TRUE)
    con <- svycontrast(b, quote(`2` / `1` - 1))
    out <- rbind(out, data.frame(case = case, measure = "growth_mean", params = "",
                                 domain = domain, before = coef(b)[1], after = coef(b)[2],
                                 growth = coef(con)[1], se = SE(con)[1], rho = NA,
                                 df = degf(des), boundary = FALSE))
  }
}
write.csv(out, "tests/data/monitoring/r_gic_shared_expected.csv", row.names = FALSE)
