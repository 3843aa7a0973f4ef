-- wrk script for scripts/bench-server.sh: every connection sends the mediator's session
-- token and cycles through the four reads of a case and its drafts.
--
--   wrk ... -s scripts/bench-server.lua http://ADDR -- TOKEN CASE_ID

local paths
local n = 0

function init(args)
    local token, case = args[1], args[2]
    if token == nil or case == nil then
        error("usage: wrk ... -s bench-server.lua URL -- TOKEN CASE_ID")
    end
    wrk.headers["Authorization"] = "Bearer " .. token
    paths = {
        "/api/cases",
        "/api/cases/" .. case,
        "/api/cases/" .. case .. "/drafts",
        "/api/cases/" .. case .. "/drafts/1",
    }
end

function request()
    n = n + 1
    return wrk.format("GET", paths[(n % #paths) + 1])
end
