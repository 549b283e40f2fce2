# Regenerates mrcv_rebuilt30_expected.json: copy R/BLfour.R from cran/MRCV (commit 51f5842) and
# mrcv_rebuilt30.csv into one folder, then `Rscript mrcv_rebuilt30.R > mrcv_rebuilt30_expected.json`.
source("BLfour.R")
d <- read.csv("rebuilt30.csv"); d$sector <- factor(d$sector)
for (p in paste0("P",1:4)) d[[p]] <- factor(d[[p]], levels=c(0,1))
f <- function(x) sprintf("%.15g", x)
res <- list()
for (k in c(0.5, 0)) {
  s <- MI.stat(d, I=1, J=4, add.constant=k)
  rs <- MI.test(d, I=1, J=4, type="rs2", add.constant=k)$rs2
  bon <- MI.test(d, I=1, J=4, type="bon", add.constant=k)$bon
  res[[length(res)+1]] <- paste0('  "', k, '": {"X2_S": ', f(s$X.sq.S), ', "X2_S_j": [', paste(f(s$X.sq.S.ij), collapse=", "),
    '], "p_value_bon": ', f(bon$p.value.bon), ', "X2_S_rs2": ', f(rs$X.sq.S.rs2), ', "df_rs2": ', f(rs$df.rs2),
    ', "p_value_rs2": ', f(rs$p.value.rs2), '}')
}
cat('{\n  "about": "MRCV 0.4-0 (cran/MRCV commit 51f5842, R/BLfour.R sourced under R 4.2.2) on mrcv_rebuilt30.csv: MI.stat and MI.test(type = rs2 / bon) with add.constant 0.5 (MRCV default) and 0. The data are the 30 rebuilt cooperatives of data/rebuilt (sector 1-4 = Agriculture, Artisanat, Services, Autres; P1-P4 = direct_sales, uses_social_media, sells_online_platform, attends_trade_fairs), copied so the check does not move with the rebuild.",\n  "add_constant": {\n', paste(res, collapse=",\n"), '\n  }\n}\n', sep="")
