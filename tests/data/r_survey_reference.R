# Reference values from R's `survey` (and `laeken`) for Setara's test suite.
#
# Regenerate (from the repository root):
#   Rscript tests/data/r_survey_reference.R
# Optional first argument: path of eusilc.csv (default: tests/data/eusilc.csv if present,
# else /work/shared/reference/eusilc.csv). The api*.csv inputs are read from this directory.
#
# Output: tests/data/r_survey_expected.csv with columns
#   case,statistic,variable,domain,estimate,se
# Numbers are printed with sprintf("%.15g"); a missing SE is written as NA.

suppressPackageStartupMessages(library(survey))

## ---- locate files ---------------------------------------------------------
script_arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
data_dir <- if (length(script_arg)) {
  dirname(normalizePath(sub("^--file=", "", script_arg[1])))
} else {
  file.path("tests", "data")
}
out_file <- file.path(data_dir, "r_survey_expected.csv")
user_args <- commandArgs(trailingOnly = TRUE)
eusilc_file <- if (length(user_args) >= 1) {
  user_args[1]
} else if (file.exists(file.path(data_dir, "eusilc.csv"))) {
  file.path(data_dir, "eusilc.csv")
} else {
  "/work/shared/reference/eusilc.csv"
}

cat(R.version.string, "\n")
cat("survey version:", as.character(packageVersion("survey")), "\n")
has_laeken <- requireNamespace("laeken", quietly = TRUE)
cat("laeken version:",
    if (has_laeken) as.character(packageVersion("laeken")) else "not available", "\n")
cat("data dir:", data_dir, "\n")

read_api <- function(name) {
  read.csv(file.path(data_dir, paste0(name, ".csv")), stringsAsFactors = FALSE)
}
apisrs <- read_api("apisrs")
apistrat <- read_api("apistrat")
apiclus1 <- read_api("apiclus1")
apiclus2 <- read_api("apiclus2")

## ---- result accumulation ----------------------------------------------------
rows <- list()
fmt <- function(x) ifelse(is.na(x), "NA", sprintf("%.15g", as.numeric(x)))
add <- function(case, statistic, variable, domain, estimate, se) {
  rows[[length(rows) + 1]] <<- data.frame(
    case = case, statistic = statistic, variable = variable,
    domain = as.character(domain),
    estimate = fmt(estimate), se = fmt(se),
    stringsAsFactors = FALSE
  )
}
add_est <- function(case, statistic, variable, est) {
  add(case, statistic, variable, "all", unname(coef(est))[1], unname(SE(est))[1])
}
add_by <- function(case, statistic, variable, byest) {
  dom <- names(coef(byest))
  add(case, statistic, variable, dom, unname(coef(byest)), unname(SE(byest)))
}
add_degf <- function(case, design) {
  add(case, "degf", "", "all", degf(design), NA)
}

options(survey.lonely.psu = "fail")

## ---- srs --------------------------------------------------------------------
d <- svydesign(id = ~1, fpc = ~fpc, data = apisrs)
add_est("srs", "mean", "api00", svymean(~api00, d))
add_est("srs", "total", "enroll", svytotal(~enroll, d))
add_est("srs", "quantile_0.5", "api00", svyquantile(~api00, d, 0.5))
add_by("srs", "mean", "api00", svyby(~api00, ~stype, d, svymean))
add_degf("srs", d)

## ---- srs_nofpc --------------------------------------------------------------
d <- svydesign(id = ~1, weights = ~pw, data = apisrs)
add_est("srs_nofpc", "mean", "api00", svymean(~api00, d))
add_est("srs_nofpc", "total", "enroll", svytotal(~enroll, d))

## ---- strat ------------------------------------------------------------------
d <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
add_est("strat", "mean", "api00", svymean(~api00, d))
add_est("strat", "total", "enroll", svytotal(~enroll, d))
r <- svyratio(~api00, ~api99, d)
add("strat", "ratio", "api00/api99", "all", unname(coef(r))[1], unname(SE(r))[1])
add_by("strat", "mean", "api00", svyby(~api00, ~awards, d, svymean))
add_est("strat", "quantile_0.25", "api00", svyquantile(~api00, d, 0.25))
add_degf("strat", d)

## ---- clus1 ------------------------------------------------------------------
d <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
add_est("clus1", "mean", "api00", svymean(~api00, d))
add_est("clus1", "total", "enroll", svytotal(~enroll, d))
add_by("clus1", "mean", "api00", svyby(~api00, ~stype, d, svymean))
add_degf("clus1", d)

## ---- clus1_nofpc --------------------------------------------------------------
d <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1)
add_est("clus1_nofpc", "mean", "api00", svymean(~api00, d))
add_est("clus1_nofpc", "total", "enroll", svytotal(~enroll, d))

## ---- clus2 ------------------------------------------------------------------
d <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
add_est("clus2", "mean", "api00", svymean(~api00, d))
add_est("clus2", "total", "enroll", svytotal(~enroll, d, na.rm = TRUE))
add_by("clus2", "mean", "api00", svyby(~api00, ~stype, d, svymean))
add_degf("clus2", d)

## ---- clus2_w ------------------------------------------------------------------
d <- svydesign(id = ~dnum + snum, weights = ~pw, data = apiclus2)
add_est("clus2_w", "mean", "api00", svymean(~api00, d))

## ---- lonely PSU -----------------------------------------------------------------
ls_data <- apistrat
ls_data$lstr <- as.character(ls_data$stype)
ls_data$lstr[1] <- "L"
stopifnot(sum(ls_data$lstr == "L") == 1)
d_lonely <- svydesign(id = ~1, strata = ~lstr, weights = ~pw, data = ls_data)
for (opt in c("remove", "certainty", "adjust", "average")) {
  options(survey.lonely.psu = opt)
  add_est(paste0("lonely_", opt), "mean", "api00", svymean(~api00, d_lonely))
  # totals are not centred by the linearization: "adjust" leaves the lonely PSU uncentred
  add_est(paste0("lonely_", opt), "total", "enroll", svytotal(~enroll, d_lonely))
}
d_lonely_fpc <- svydesign(id = ~1, strata = ~lstr, weights = ~pw, fpc = ~fpc, data = ls_data)
options(survey.lonely.psu = "adjust")
add_est("lonely_adjust_fpc", "mean", "api00", svymean(~api00, d_lonely_fpc))
add_est("lonely_adjust_fpc", "total", "enroll", svytotal(~enroll, d_lonely_fpc))

## lonely PSU at stage 2 of a design with FPCs: district 228 keeps one of its two schools
## (fpc2 = 2), so its stage-2 stratum has a single, not self-representing, unit
c2_data <- apiclus2[!(apiclus2$dnum == 228 & duplicated(apiclus2$dnum)), ]
stopifnot(nrow(c2_data) == nrow(apiclus2) - 1)
for (opt in c("remove", "adjust")) {
  options(survey.lonely.psu = opt)
  d <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = c2_data)
  add_est(paste0("clus2_lonely_", opt), "mean", "api00", svymean(~api00, d))
  add_est(paste0("clus2_lonely_", opt), "total", "enroll", svytotal(~enroll, d, na.rm = TRUE))
}
options(survey.lonely.psu = "fail")

## ---- zero weights: PSUs whose rows all weigh zero leave degf ------------------------
## districts 406 and 413 weigh zero; so does the one high school of district 178, which
## takes that district out of the high-school subset's degf but not the design's
zw_data <- apiclus1
zw_data$pw0 <- ifelse(zw_data$dnum %in% c(406, 413) |
                        (zw_data$dnum == 178 & zw_data$stype == "H"), 0, zw_data$pw)
d <- svydesign(id = ~dnum, weights = ~pw0, data = zw_data)
add_degf("clus1_zero", d)
for (s in c("E", "H", "M")) {
  add("clus1_zero", "degf", "", s, degf(subset(d, stype == s)), NA)
}
add_est("clus1_zero", "mean", "api00", svymean(~api00, d))
add_by("clus1_zero", "mean", "api00", svyby(~api00, ~stype, d, svymean))
add_est("clus1_zero", "quantile_0.5", "api00", svyquantile(~api00, d, 0.5))
for (s in c("E", "M")) {  # the Woodruff SE uses the subset's degf
  q <- svyquantile(~api00, subset(d, stype == s), 0.5)
  add("clus1_zero", "quantile_0.5", "api00", s, unname(coef(q))[1], unname(SE(q))[1])
}
## created jackknife replicates: degf is the rank of the replicate weights minus one
r <- as.svrepdesign(d, type = "JK1")
add_degf("clus1_zero_jk1", r)
add_est("clus1_zero_jk1", "mean", "api00", svymean(~api00, r))
## stratified: three elementary schools and two high schools weigh zero (partial strata);
## then every high school (a stratum without a sampled unit)
zs_data <- apistrat
zs_data$pw0 <- zs_data$pw
zs_data$pw0[which(zs_data$stype == "E")[1:3]] <- 0
zs_data$pw0[which(zs_data$stype == "H")[1:2]] <- 0
d <- svydesign(id = ~1, strata = ~stype, weights = ~pw0, data = zs_data)
add_degf("strat_zero", d)
r <- as.svrepdesign(d, type = "JKn")
add_degf("strat_zero_jkn", r)
add_est("strat_zero_jkn", "mean", "api00", svymean(~api00, r))
zs_data$pw0 <- ifelse(zs_data$stype == "H", 0, zs_data$pw)
r <- as.svrepdesign(svydesign(id = ~1, strata = ~stype, weights = ~pw0, data = zs_data),
                    type = "JKn")
add_degf("strat_zero_h_jkn", r)

## ---- replicate designs --------------------------------------------------------
d_strat_nofpc <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat)
r_jkn <- as.svrepdesign(d_strat_nofpc, type = "JKn")
add_est("jkn", "mean", "api00", svymean(~api00, r_jkn))
add_est("jkn", "total", "enroll", svytotal(~enroll, r_jkn))
add_degf("jkn", r_jkn)

d_clus1_nofpc <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1)
r_jk1 <- as.svrepdesign(d_clus1_nofpc, type = "JK1")
add_est("jk1", "mean", "api00", svymean(~api00, r_jk1))
add_est("jk1", "total", "enroll", svytotal(~enroll, r_jk1))
add_degf("jk1", r_jk1)

r_jk1_mse <- as.svrepdesign(d_clus1_nofpc, type = "JK1", mse = TRUE)
add_est("jk1_mse", "mean", "api00", svymean(~api00, r_jk1_mse))

## ---- laeken (no design; weights rb050) -------------------------------------------
if (has_laeken) {
  eusilc <- read.csv(eusilc_file, stringsAsFactors = FALSE)
  cat("eusilc file:", eusilc_file, "rows:", nrow(eusilc), "\n")
  y <- eusilc$eqincome
  w <- eusilc$rb050
  add("laeken", "laeken_gini", "eqincome", "all", laeken::gini(y, w)$value / 100, NA)
  add("laeken", "laeken_arpr", "eqincome", "all", laeken::arpr(y, w)$value / 100, NA)
  add("laeken", "laeken_arpt", "eqincome", "all", as.numeric(laeken::arpt(y, w)), NA)
  add("laeken", "laeken_qsr", "eqincome", "all", laeken::qsr(y, w)$value, NA)
  add("laeken", "laeken_weighted_median", "eqincome", "all",
      laeken::weightedMedian(y, w), NA)
} else {
  cat("laeken not available: case 'laeken' skipped\n")
}

## ---- write -------------------------------------------------------------------------
out <- do.call(rbind, rows)
write.csv(out, out_file, row.names = FALSE, quote = FALSE)
cat("wrote", nrow(out), "rows to", out_file, "\n")
print(out, right = FALSE)
