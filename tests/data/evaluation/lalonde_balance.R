# Reference values for the LaLonde NSW experimental sample (tests/evaluation/test_match.py).
# Run from the repository root: Rscript tests/data/evaluation/lalonde_balance.R
# R 4.2, base functions only (stats::glm). Writes lalonde_balance_r.csv and lalonde_ipw_r.csv.
d <- read.delim("tests/data/evaluation/lalonde_nsw_experimental.tsv")
covs <- c("black", "hisp", "age", "married", "nodegree", "educ", "re74", "u74", "re75", "u75")
tr <- d[d$t == 1, ]; co <- d[d$t == 0, ]
rows <- lapply(covs, function(v) {
  mt <- mean(tr[[v]]); mc <- mean(co[[v]]); vt <- var(tr[[v]]); vc <- var(co[[v]])
  se <- sqrt(vt / nrow(tr) + vc / nrow(co))
  data.frame(covariate = v, mean_treated = mt, mean_control = mc, diff = mt - mc,
             diff_se = se, std_diff = (mt - mc) / sqrt((vt + vc) / 2), var_ratio = vt / vc)
})
out <- do.call(rbind, rows)
write.csv(out, "tests/data/evaluation/lalonde_balance_r.csv", row.names = FALSE)
# difference in mean 1978 earnings (thousands of dollars) with the Welch standard error
dm <- t.test(tr$re78, co$re78)
# IPW (Hajek) point estimates from a logit propensity score on all ten covariates
f <- as.formula(paste("t ~", paste(covs, collapse = " + ")))
p <- fitted(glm(f, family = binomial, data = d))
att <- mean(tr$re78) - weighted.mean(co$re78, (p / (1 - p))[d$t == 0])
ate <- weighted.mean(tr$re78, (1 / p)[d$t == 1]) - weighted.mean(co$re78, (1 / (1 - p))[d$t == 0])
write.csv(data.frame(quantity = c("difference_in_means", "difference_in_means_se", "ipw_att", "ipw_ate"),
                     value = c(unname(diff(rev(dm$estimate))), dm$stderr, att, ate)),
          "tests/data/evaluation/lalonde_ipw_r.csv", row.names = FALSE)
