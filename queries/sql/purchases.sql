-- name: purchases
-- description: Purchases and revenue per day and product, one row per currency (amounts in different
--   currencies are never added up). Revenue is the item price times the quantity (1 when not sent).
-- grain: one row per dt, product_id and currency
-- params:
--   start date = today-30d: first day (dt, UTC), inclusive
--   end date = today: last day (dt, UTC), inclusive
-- columns:
--   dt: day (UTC)
--   product_id: the `_product_id` attribute
--   currency: purchase currency
--   purchases: purchase events (each event_id once)
--   units: sum of quantities
--   revenue: sum of item price times quantity, in the currency
--   buyers: distinct endpoints that purchased
with purchase_rows as (
    -- narrowed to purchases first, then de-duplicated: a filter on event_name cannot pass through
    -- events_unique's window, so reading app_events would de-duplicate every app event in the range
    select
        dt,
        family,
        event_id,
        arrival_time,
        endpoint_id,
        currency,
        attributes,
        metrics,
        row_number() over (
            partition by dt, family, event_id
            order by arrival_time asc nulls last, transform_version desc nulls last
        ) as copy_number
    from events
    where dt between ? /* start */ and ? /* end */
        and family = 'app'
        and event_name = 'app.purchase'
),

purchase_events as (
    select
        dt,
        endpoint_id,
        coalesce(currency, element_at(attributes, '_currency')) as currency,
        element_at(attributes, '_product_id') as product_id,
        coalesce(element_at(metrics, '_quantity'), 1) as quantity,
        element_at(metrics, '_item_price') as item_price
    from purchase_rows
    where copy_number = 1
),

final as (
    select
        dt,
        product_id,
        currency,
        count(*) as purchases,
        sum(quantity) as units,
        round(sum(item_price * quantity), 2) as revenue,
        count(distinct endpoint_id) as buyers
    from purchase_events
    group by dt, product_id, currency
)

select * from final
order by dt, product_id, currency
